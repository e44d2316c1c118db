import test from 'ava';
import { isStorageError } from '../../../storage/errors.js';
import type { ListPage } from '../../../storage/types.js';
import { put } from '../../helpers/emulator.js';
import { setup } from './helpers/setup.js';

async function collect(
  pages: AsyncIterable<ListPage>,
): Promise<{ names: string[]; prefixes: string[]; pages: number }> {
  const out = { names: [] as string[], prefixes: [] as string[], pages: 0 };
  for await (const page of pages) {
    out.pages++;
    out.names.push(...page.objects.map((o) => o.name));
    out.prefixes.push(...page.prefixes);
  }
  return out;
}

test('pagination across 2,500 objects yields each exactly once, in byte order', async (t) => {
  const { emu, backend, bucket } = await setup(t);
  const names = Array.from({ length: 2500 }, (_, i) => `obj/${String(i).padStart(5, '0')}`);
  for (let i = 0; i < names.length; i += 100) {
    await Promise.all(names.slice(i, i + 100).map((n) => put(emu, bucket, n, 'x')));
  }
  const all = await collect(backend.list(bucket, { prefix: 'obj/' }));
  t.deepEqual(all.names, names);
  t.is(all.pages, 3);
  const small = await collect(backend.list(bucket, { prefix: 'obj/', pageSize: 333 }));
  t.deepEqual(small.names, names);
  t.is(small.pages, Math.ceil(2500 / 333));
  const after = await collect(backend.list(bucket, { startAfter: 'obj/02399' }));
  t.deepEqual(after.names, names.slice(2400));
});

test('delimiter rolls up prefixes; an object named like the prefix is listed', async (t) => {
  const { emu, backend, bucket } = await setup(t);
  for (const n of ['d/', 'd/a', 'd/b/1', 'd/b/2', 'd/c/x', 'd/z', 'e']) await put(emu, bucket, n, 'x');
  const page = await backend.listPage(bucket, { prefix: 'd/', delimiter: '/' });
  t.deepEqual(
    page.objects.map((o) => o.name),
    ['d/', 'd/a', 'd/z'],
  );
  t.deepEqual(page.prefixes, ['d/b/', 'd/c/']);
  t.is(page.nextPageToken, undefined);
  const one = await collect(backend.list(bucket, { prefix: 'd/', delimiter: '/', pageSize: 1 }));
  t.deepEqual(one.names, ['d/', 'd/a', 'd/z']);
  t.deepEqual(one.prefixes, ['d/b/', 'd/c/']);
  const first = page.objects[0];
  t.is(first?.size, 1);
  t.regex(first?.generation ?? '', /^\d+$/);
  t.is(first?.metageneration, '1');
});

test('listing entries carry control characters through encoding-type=url', async (t) => {
  const { backend, bucket } = await setup(t);
  const name = 'ctl\u0001name +%2F';
  await backend.writeObject(bucket, name, Buffer.from('x'));
  const page = await backend.listPage(bucket);
  t.deepEqual(
    page.objects.map((o) => o.name),
    [name],
  );
});

test('page size outside 1..1000 is refused locally', async (t) => {
  const { backend, bucket } = await setup(t);
  const e = await t.throwsAsync(backend.listPage(bucket, { pageSize: 0 }));
  t.true(isStorageError(e, 'invalid-argument'));
});
