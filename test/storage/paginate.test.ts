import test from 'ava';
import { isStorageError } from '../../storage/errors.js';
import { paginate } from '../../storage/paginate.js';
import type { ListPage } from '../../storage/types.js';
import { listedObject } from '../helpers/object-meta.js';

const page = (name: string, nextPageToken?: string): ListPage => ({
  objects: [listedObject(name)],
  prefixes: [],
  ...(nextPageToken === undefined ? {} : { nextPageToken }),
});

test('follows page tokens until the last page, passing the options on', async (t) => {
  const pages: Record<string, ListPage> = { start: page('a', 't1'), t1: page('b', 't2'), t2: page('c') };
  const asked: unknown[] = [];
  const names: string[] = [];
  for await (const p of paginate('bkt', { prefix: 'p/' }, (o) => {
    asked.push(o);
    return Promise.resolve(pages[o.pageToken ?? 'start']!);
  })) {
    names.push(...p.objects.map((o) => o.name));
  }
  t.deepEqual(names, ['a', 'b', 'c']);
  t.deepEqual(asked, [
    { prefix: 'p/' },
    { prefix: 'p/', pageToken: 't1' },
    { prefix: 'p/', pageToken: 't2' },
  ]);
});

test('fetches lazily: a caller that stops after the first page sends one request', async (t) => {
  let fetched = 0;
  for await (const _ of paginate('bkt', {}, () => Promise.resolve(page(`n${++fetched}`, `t${fetched}`)))) {
    break;
  }
  t.is(fetched, 1);
});

test('a token that comes back unchanged fails as unavailable instead of looping', async (t) => {
  const seen: string[] = [];
  const pages = paginate('bkt', {}, () => Promise.resolve(page('a', 'same')));
  const error = await t.throwsAsync(async () => {
    for await (const p of pages) seen.push(p.objects[0]!.name);
  });
  t.true(isStorageError(error, 'unavailable'));
  t.deepEqual(seen, ['a'], 'the first page was delivered, the repeat was not');
});
