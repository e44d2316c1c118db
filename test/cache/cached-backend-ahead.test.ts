// The caching decorator's listings fetched ahead of a walk (cache/listing-ahead.ts): a readdir of the
// walk's next directory costs no request, a mutation through the mount is never hidden by one, and what
// a listing proves is recorded as for readdir's own.
import test from 'ava';
import { collect, isMissing, setup } from '../helpers/cached-backend-fixture.js';

const readdir = (cached: Awaited<ReturnType<typeof setup>>['cached'], dir: string) =>
  collect(cached.list('bkt', { prefix: dir, delimiter: '/' }));

const names = (pages: Awaited<ReturnType<typeof readdir>>): string[] =>
  pages.flatMap((p) => [...p.objects.map((o) => o.name), ...p.prefixes]);

/** A walk's first two steps with no listing cache: the root, then its first directory. */
async function walked(ahead = 32) {
  const s = await setup({ list: 0, ahead });
  for (const n of ['a/x', 'b/y', 'c/z']) await s.backend.put('bkt', n);
  await readdir(s.cached, '');
  await readdir(s.cached, 'a/');
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  return s;
}

test("the walk's next directories are listed ahead: their readdirs cost no request", async (t) => {
  const { backend, cached } = await walked();
  t.is(backend.count('listPage'), 4); // '', a/, then b/ and c/ ahead
  t.deepEqual(names(await readdir(cached, 'b/')), ['b/y']);
  t.deepEqual(names(await readdir(cached, 'c/')), ['c/z']);
  t.is(backend.count('listPage'), 4);
  // Taken once: the next readdir lists (no listing cache).
  await readdir(cached, 'b/');
  t.is(backend.count('listPage'), 5);
});

test('with --list-ahead 0 every readdir lists', async (t) => {
  const { backend, cached } = await walked(0);
  t.is(backend.count('listPage'), 2);
  await readdir(cached, 'b/');
  t.is(backend.count('listPage'), 3);
});

test('a change made through the mount drops the listings fetched ahead that could show it', async (t) => {
  const { backend, cached } = await walked();
  await cached.writeObject('bkt', 'b/new', Buffer.from('x'));
  await cached.deleteObject('bkt', 'c/z');
  t.deepEqual(names(await readdir(cached, 'b/')), ['b/new', 'b/y']);
  t.deepEqual(names(await readdir(cached, 'c/')), []);
  t.is(backend.count('listPage'), 6);
});

test('a listing fetched ahead proves a directory has no marker, as its own listing would', async (t) => {
  const { backend, cached } = await walked();
  const heads = backend.count('statObject');
  t.true(await isMissing(cached.statObject('bkt', 'b/')));
  t.is(backend.count('statObject'), heads);
});

test('with a listing cache, directories it holds are not fetched ahead, and listings fetched ahead fill it', async (t) => {
  const { backend, cached } = await setup({ list: 30_000, ahead: 32 });
  for (const n of ['a/x', 'b/y', 'c/z']) await backend.put('bkt', n);
  await readdir(cached, 'c/');
  await readdir(cached, '');
  await readdir(cached, 'a/');
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  t.is(backend.count('listPage'), 4); // c/, '', a/, then b/ ahead (c/ is cached)
  await readdir(cached, 'b/');
  await readdir(cached, 'b/');
  t.is(backend.count('listPage'), 4);
});

test('a marker lookup of a directory queued or in flight waits for its listing instead of a HEAD', async (t) => {
  const { backend, cached } = await setup({ list: 0, ahead: 32 });
  const dirs = Array.from({ length: 20 }, (_, i) => `d${String(i).padStart(2, '0')}/`);
  for (const d of dirs) await backend.put('bkt', `${d}f`);
  await backend.put('bkt', 'd19/'); // a marker: its HEAD is still needed, for its metadata
  await readdir(cached, '');
  await readdir(cached, 'd00/'); // the walk's step: d01/.. queued, 8 in flight
  const heads = backend.count('statObject');
  // readdir's prefetch asks every marker at once, as attr-prefetch.ts does.
  const answers = await Promise.all(
    dirs.slice(1).map((d) => cached.statObject('bkt', d).catch(() => undefined)),
  );
  t.is(backend.count('statObject'), heads + 1);
  t.is(answers.filter((a) => a !== undefined).length, 1);
  t.is(answers.at(-1)?.name, 'd19/');
  // Each directory was listed once, and its readdir costs nothing now.
  t.is(backend.count('listPage'), 2 + 19);
  await readdir(cached, 'd05/');
  t.is(backend.count('listPage'), 2 + 19);
});

test('a long listing fetched ahead goes on from its first page', async (t) => {
  const { backend, cached } = await setup({ list: 0, ahead: 32 });
  await backend.put('bkt', 'a/x');
  const many = Array.from({ length: 1500 }, (_, i) => `b/f${String(i).padStart(4, '0')}`);
  await Promise.all(many.map((n) => backend.put('bkt', n)));
  await readdir(cached, '');
  await readdir(cached, 'a/');
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  t.is(backend.count('listPage'), 3); // '', a/, b/'s first page ahead
  const pages = await readdir(cached, 'b/');
  t.deepEqual(names(pages), many);
  t.is(backend.count('listPage'), 4);
});
