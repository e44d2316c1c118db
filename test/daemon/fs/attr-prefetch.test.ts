import test from 'ava';
import { AttrPrefetch, DEFERRED_DIRS } from '../../../daemon/fs/attr-prefetch.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { StorageError } from '../../../storage/errors.js';
import type { ObjectMeta } from '../../../storage/types.js';

/** A backend whose HEADs wait until the test opens the gate, counting what is in flight. */
function gated() {
  const asked: string[] = [];
  let inFlight = 0;
  let peak = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const backend = {
    async statObject(bucket: string, name: string): Promise<ObjectMeta> {
      asked.push(`${bucket}/${name}`);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await gate;
      inFlight--;
      if (name.startsWith('missing')) throw new StorageError('not-found', 'no', { bucket, object: name });
      return { name } as ObjectMeta;
    },
  } as unknown as StorageBackend;
  return { backend, asked, open, peak: () => peak, inFlight: () => inFlight };
}

const tick = () => new Promise((r) => setImmediate(r));

test('files: every listed name is fetched, at most 32 at a time', async (t) => {
  const g = gated();
  const p = new AttrPrefetch({ backend: g.backend, maxQueued: 1000 });
  p.files(
    'bkt',
    Array.from({ length: 100 }, (_, i) => `d/f${i}`),
  );
  await tick();
  t.is(g.inFlight(), 32, 'the first 32 are in flight together, before any answered');
  g.open();
  await p.idle();
  t.is(g.asked.length, 100);
  t.is(g.peak(), 32);
});

test('a bounded concurrency other than 32', async (t) => {
  const g = gated();
  const p = new AttrPrefetch({ backend: g.backend, maxQueued: 1000, concurrency: 3 });
  p.files('bkt', ['a', 'b', 'c', 'd', 'e']);
  await tick();
  t.is(g.inFlight(), 3);
  g.open();
  await p.idle();
  t.deepEqual(g.asked, ['bkt/a', 'bkt/b', 'bkt/c', 'bkt/d', 'bkt/e']);
});

test('directories: their markers', async (t) => {
  const g = gated();
  const p = new AttrPrefetch({ backend: g.backend, maxQueued: 1000 });
  p.dirs('bkt', ['x/sub']);
  g.open();
  await p.idle();
  t.deepEqual(g.asked, ['bkt/x/sub/']);
});

test('failures are ignored; the queue is bounded; 0 disables', async (t) => {
  const g = gated();
  const p = new AttrPrefetch({ backend: g.backend, maxQueued: 2, concurrency: 1 });
  p.files('bkt', ['missing1', 'a', 'b', 'c', 'd']);
  g.open();
  await p.idle();
  // One runs at once, two wait: the rest of a listing past the bound is left to the lookups.
  t.deepEqual(g.asked, ['bkt/missing1', 'bkt/a', 'bkt/b']);
  const off = gated();
  const none = new AttrPrefetch({ backend: off.backend, maxQueued: 0 });
  none.files('bkt', ['a']);
  none.dirs('bkt', ['d']);
  await none.idle();
  t.deepEqual(off.asked, []);
});

test('names the caches already answer are not queued at all (a warm listing queues nothing)', async (t) => {
  const g = gated();
  const known = new Set(['d/f0', 'd/f2', 'd/sub/']);
  const p = new AttrPrefetch({ backend: g.backend, maxQueued: 1000, known: (_b, k) => known.has(k) });
  p.files('bkt', ['d/f0', 'd/f1', 'd/f2']);
  p.dirs('bkt', ['d/sub', 'd/other']);
  g.open();
  await p.idle();
  t.deepEqual([...g.asked].sort(), ['bkt/d/f1', 'bkt/d/other/']);
});

test('deferred files wait for a lookup of one of them, then all go; other lookups do not start them', async (t) => {
  const g = gated();
  g.open();
  const p = new AttrPrefetch({ backend: g.backend, maxQueued: 1000 });
  p.deferFiles('bkt', 'd/', ['d/a', 'd/b', 'd/c']);
  p.deferFiles('bkt', '', ['top']);
  p.looked('bkt', 'd/sub'); // a directory of d/ (find descends): not one of the files
  p.looked('bkt', 'e/a'); // another directory
  p.looked('bkt', 'other'); // the root's other name
  await p.idle();
  t.deepEqual(g.asked, []);
  p.looked('bkt', 'd/b');
  await p.idle();
  t.deepEqual(g.asked, ['bkt/d/a', 'bkt/d/b', 'bkt/d/c']);
  p.looked('bkt', 'd/a'); // once only
  p.looked('bkt', 'top');
  await p.idle();
  t.deepEqual(g.asked, ['bkt/d/a', 'bkt/d/b', 'bkt/d/c', 'bkt/top']);
});

test('a new listing replaces what waited; the oldest directories are forgotten past the bound', async (t) => {
  const g = gated();
  g.open();
  const p = new AttrPrefetch({ backend: g.backend, maxQueued: 1000 });
  p.deferFiles('bkt', 'd/', ['d/a', 'd/b']);
  p.deferFiles('bkt', 'd/', ['d/b']); // d/a was removed meanwhile
  p.looked('bkt', 'd/a');
  await p.idle();
  t.deepEqual(g.asked, []);
  for (let i = 0; i <= DEFERRED_DIRS; i++) p.deferFiles('bkt', `x${i}/`, [`x${i}/f`]);
  p.looked('bkt', 'd/b'); // pushed out by the bound: its own lookup fetches it, not the prefetch
  p.looked('bkt', 'x0/f'); // the oldest of the x dirs is gone too
  p.looked('bkt', `x${DEFERRED_DIRS}/f`);
  await p.idle();
  t.deepEqual(g.asked, [`bkt/x${DEFERRED_DIRS}/f`]);
});
