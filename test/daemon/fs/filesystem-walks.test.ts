// Walks through the filesystem core (no kernel): `find` reads a directory, then each subdirectory in turn.
// With no listing cache (the default) the listings of a walk's next directories are fetched ahead,
// concurrently (cache/listing-ahead.ts): each directory is still listed once, but the walk stops waiting
// for one LIST after another. Request counts and concurrency, over the in-memory backend.

import test from 'ava';
import { harness, type Harness } from '../../helpers/fs-harness.js';
import type { StorageBackend } from '../../../storage/backend.js';
import type { ListPage } from '../../../storage/types.js';

const S_IFDIR = 0o040000;

/** Lists in flight at once, at most, through the wrapped backend. */
function concurrencyOf(): { wrap: (b: StorageBackend) => StorageBackend; max: () => number } {
  let now = 0;
  let max = 0;
  const track = async <T>(p: () => Promise<T>): Promise<T> => {
    max = Math.max(max, ++now);
    try {
      return await p();
    } finally {
      now--;
    }
  };
  return {
    max: () => max,
    wrap: (b) =>
      new Proxy(b, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (prop === 'listPage')
            return (bucket: string, options?: Parameters<StorageBackend['listPage']>[1]) =>
              track(async () => {
                await new Promise((r) => setTimeout(r, 2)); // a request takes time
                return b.listPage(bucket, options);
              });
          if (prop === 'list')
            return (bucket: string, options?: Parameters<StorageBackend['list']>[1]) =>
              (async function* listed(): AsyncIterable<ListPage> {
                const it = b.list(bucket, options)[Symbol.asyncIterator]();
                for (;;) {
                  const next = await track(async () => {
                    await new Promise((r) => setTimeout(r, 2));
                    return it.next();
                  });
                  if (next.done) return;
                  yield next.value;
                }
              })();
          return value;
        },
      }),
  };
}

async function tree(h: Harness, fan: number): Promise<number> {
  const puts: Promise<unknown>[] = [];
  for (let a = 0; a < fan; a++)
    for (let b = 0; b < fan; b++)
      for (let c = 0; c < fan; c++) puts.push(h.put(`t/d${a}/d${b}/d${c}/f`, 'x'));
  await Promise.all(puts);
  return 1 + fan + fan * fan + fan * fan * fan; // directories, t included
}

/** find(1): readdir, then the lstat of each entry, descending into directories in listing order. */
async function find(h: Harness, dir: string): Promise<string[]> {
  const seen = [dir];
  for (const e of await h.fs.readdir(dir)) {
    if (e.name === '.' || e.name === '..') continue;
    const path = `${dir}/${e.name}`;
    const st = await h.fs.getattr(path);
    if ((st.mode & 0o170000) === S_IFDIR) seen.push(...(await find(h, path)));
    else seen.push(path);
  }
  return seen;
}

test('find: each directory is listed once, the listings of the next ones concurrently ahead of the walk', async (t) => {
  const lists = concurrencyOf();
  const h = await harness(t, { wrap: lists.wrap });
  const dirs = await tree(h, 3);
  await h.fs.getattr('/t');
  h.requests.reset();
  const seen = await find(h, '/t');
  t.is(seen.length, dirs + 27);
  t.is(h.requests.counts().listPage, dirs);
  t.true(lists.max() > 2, `lists in flight at most: ${lists.max()}`);
  // One HEAD per file (this find lstats them); the markers of directories listed ahead need none: their
  // listings show there is none.
  const markers = (h.requests.counts().statObject ?? 0) - 27;
  t.true(markers < dirs / 3, `marker HEADs: ${markers} for ${dirs} directories`);
});

test('find with --list-ahead 0: one listing after the other', async (t) => {
  const lists = concurrencyOf();
  const h = await harness(t, { wrap: lists.wrap, flags: ['--list-ahead', '0'] });
  const dirs = await tree(h, 3);
  await h.fs.getattr('/t');
  h.requests.reset();
  t.is((await find(h, '/t')).length, dirs + 27);
  t.is(h.requests.counts().listPage, dirs);
  t.is(lists.max(), 1);
  t.is(h.requests.counts().statObject, 27 + dirs - 1); // each file, every marker but /t's (its lookup)
});
