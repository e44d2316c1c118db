// Request counts of listings through the filesystem core (no kernel): what `ls -l` and `find` cost in
// LISTs and HEADs, and when readdir's attribute prefetch (daemon/fs/attr-prefetch.ts) sends them.

import test from 'ava';
import { counted, harness } from '../../helpers/fs-harness.js';
import { writePosix } from '../../../daemon/posix/attrs.js';

test('requests: ls -l of N files is listings and one HEAD per entry, all fetched at the first lstat (cold); listings only (warm)', async (t) => {
  const h = await harness(t);
  const n = 20;
  for (let i = 0; i < n; i++) await h.put(`dir/f${i}`, 'x');
  const lsl = async () => {
    const names = (await h.fs.readdir('/dir')).map((e) => e.name).filter((x) => x !== '.' && x !== '..');
    for (const name of names) await h.fs.getattr(`/dir/${name}`);
    return names.length;
  };
  t.deepEqual(await counted(h, () => h.fs.getattr('/dir')), { statObject: 1, listPage: 1 });
  // One listing each time: the lookup above taught the type cache that /dir is a directory (and its probe
  // that it has no marker). A one-page listing fetches no attributes by itself (find never stats the
  // files); the first lstat of one of them starts the HEADs of all (attr-prefetch.ts: 32 in flight), its
  // own among them; the next ls -l finds them all cached.
  t.deepEqual(
    await counted(h, async () => {
      await h.fs.readdir('/dir');
      await h.prefetched();
    }),
    { listPage: 1 },
  );
  t.deepEqual(
    await counted(h, async () => {
      await h.fs.getattr('/dir/f7');
      await h.prefetched();
    }),
    { statObject: n },
  );
  t.deepEqual(await counted(h, lsl), { listPage: 1 });
  t.deepEqual(await counted(h, lsl), { listPage: 1 });
});

test('requests: a listing of several pages fetches the attributes of each page as it arrives, not after the whole listing', async (t) => {
  // Before the third page is fetched, the HEADs of the first pages' entries are already under way (the
  // first page's wait for the second: a one-page listing waits for a lookup).
  let statsBeforePage3: number | undefined;
  let pages = 0;
  const h = await harness(t, {
    wrap: (b) =>
      new Proxy(b, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (prop !== 'list' || typeof value !== 'function') return value;
          return (bucket: string, options?: Parameters<typeof b.list>[1]) =>
            (async function* listed() {
              for await (const page of b.list(bucket, options)) {
                if (++pages === 3) {
                  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
                  statsBeforePage3 = h.requests.counts().statObject ?? 0;
                }
                yield page;
              }
            })();
        },
      }),
  });
  const n = 2500; // three pages of the fake's 1,000
  await Promise.all(Array.from({ length: n }, (_, i) => h.put(`big/f${String(i).padStart(4, '0')}`, 'x')));
  await h.fs.getattr('/big');
  pages = 0;
  h.requests.reset();
  const entries = await h.fs.readdir('/big');
  await h.prefetched();
  t.is(entries.length, n + 2);
  t.true((statsBeforePage3 ?? 0) > 0, `HEADs under way before page 3: ${statsBeforePage3}`);
  // Still one HEAD per entry and one request per page.
  t.deepEqual(h.requests.counts(), { listPage: 3, statObject: n });
});

test('requests: ls -l of subdirectories: readdir fetches each marker; the lstat costs nothing', async (t) => {
  const h = await harness(t);
  // Made by another client (gsutil, another mount): nothing about them is cached here.
  const metadata = writePosix({}, { mode: 0o700 });
  for (const d of ['a', 'b', 'c'])
    await h.memory.writeObject('bkt', `top/${d}/`, Buffer.alloc(0), { metadata });
  await h.put('top/implicit/x', 'x');
  t.deepEqual(
    await counted(h, async () => {
      await h.fs.readdir('/top');
      await h.prefetched();
    }),
    // readdir's lookup of /top (HEAD, LIST), its listing; then the marker of each of the four.
    { listPage: 2, statObject: 1 + 4 },
  );
  // Each lstat: nothing (the listing said "directory", the prefetch fetched the marker or its absence).
  t.deepEqual(await counted(h, () => h.fs.getattr('/top/a')), {});
  t.is((await h.fs.getattr('/top/a')).mode & 0o777, 0o700);
  t.deepEqual(await counted(h, () => h.fs.getattr('/top/implicit')), {});
  // find: readdir of a subdirectory is its one listing, and no HEAD of its file, which find never stats.
  t.deepEqual(
    await counted(h, async () => {
      await h.fs.readdir('/top/implicit');
      await h.prefetched();
    }),
    { listPage: 1 },
  );
});
