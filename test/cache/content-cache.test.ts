import test from 'ava';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockKey } from '../../cache/block-key.js';
import { ContentCache } from '../../cache/content-cache.js';
import { DiskBlocks, type DiskFs } from '../../cache/disk-blocks.js';
import { MemoryBlocks } from '../../cache/memory-blocks.js';
import { cachedBlock } from '../helpers/cached-block.js';

const key = (object: string, index: number, generation = '1'): BlockKey => ({
  bucket: 'b',
  object,
  generation,
  index,
});
const bytes = (n: number, fill = 1): Buffer => Buffer.alloc(n, fill);

async function openDisk(
  t: { teardown(fn: () => Promise<void>): void },
  maxBytes: number,
  fs?: DiskFs,
): Promise<DiskBlocks> {
  const cacheDir = await fsp.mkdtemp(join(tmpdir(), 'gcsmount-content-cache-'));
  t.teardown(() => fsp.rm(cacheDir, { recursive: true, force: true }));
  return DiskBlocks.open(fs ? { cacheDir, maxBytes, fs } : { cacheDir, maxBytes });
}

test('memory only: put then read, a miss otherwise', async (t) => {
  const cache = new ContentCache({ memory: new MemoryBlocks({ maxBytes: 100 }) });
  t.is(await cachedBlock(cache, key('a', 0), 10), undefined);
  cache.putBlock(key('a', 0), bytes(10, 4));
  t.deepEqual(await cachedBlock(cache, key('a', 0), 10), bytes(10, 4));
  t.is(await cachedBlock(cache, key('a', 0, '2'), 10), undefined, 'a new generation never sees old bytes');
  const stats = cache.stats();
  t.is(stats.hits, 1);
  t.is(stats.misses, 2);
  t.is(stats.disk, undefined);
});

test('blocks are written through to disk; one pushed out of memory is read from disk', async (t) => {
  const memory = new MemoryBlocks({ maxBytes: 20 });
  const disk = await openDisk(t, 1000);
  const cache = new ContentCache({ memory, disk });
  for (let i = 0; i < 3; i++) cache.putBlock(key('a', i), bytes(10, i));
  await cache.idle();
  t.false(memory.has(key('a', 0)), 'memory bound pushed the oldest out');
  t.true(disk.has(key('a', 0)));
  t.deepEqual(await cachedBlock(cache, key('a', 0), 10), bytes(10, 0));
  t.false(memory.has(key('a', 0)), 'a disk hit is not promoted to memory');
  t.deepEqual(await cachedBlock(cache, key('a', 2), 10), bytes(10, 2));
  t.is(disk.stats().hits, 1, 'block 2 came from memory');
  t.is(cache.stats().hits, 2);
});

test('invalidateObject drops the object from both tiers', async (t) => {
  const memory = new MemoryBlocks({ maxBytes: 100 });
  const disk = await openDisk(t, 1000);
  const cache = new ContentCache({ memory, disk });
  cache.putBlock(key('a', 0, '1'), bytes(10));
  cache.putBlock(key('a', 0, '2'), bytes(10));
  cache.putBlock(key('c', 0), bytes(10));
  await cache.idle();
  await cache.invalidateObject('b', 'a');
  t.is(await cachedBlock(cache, key('a', 0, '1'), 10), undefined);
  t.is(await cachedBlock(cache, key('a', 0, '2'), 10), undefined);
  t.truthy(await cachedBlock(cache, key('c', 0), 10));
  t.is(disk.stats().blocks, 1);
  await cache.clear();
  t.is(await cachedBlock(cache, key('c', 0), 10), undefined);
});

test('disk writes beyond the in-flight limit are skipped, not queued', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const fs: DiskFs = {
    ...fsp,
    open: async (...args: Parameters<typeof fsp.open>) => {
      if (args[1] === 'wx') await gate; // block writes only
      return fsp.open(...args);
    },
  };
  const disk = await openDisk(t, 1000, fs);
  const cache = new ContentCache({
    memory: new MemoryBlocks({ maxBytes: 1000 }),
    disk,
    maxDiskWritesInFlight: 2,
  });
  for (let i = 0; i < 5; i++) cache.putBlock(key('a', i), bytes(10));
  t.is(cache.stats().diskWritesSkipped, 3);
  release();
  await cache.idle();
  t.is(disk.stats().blocks, 2);
  t.truthy(await cachedBlock(cache, key('a', 4), 10), 'memory still has the skipped block');
});

test('a failing disk never fails a read or a put', async (t) => {
  const fs: DiskFs = {
    ...fsp,
    open: (...args: Parameters<typeof fsp.open>) =>
      args[1] === 'wx' ? Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })) : fsp.open(...args),
  };
  const disk = await openDisk(t, 1000, fs);
  const cache = new ContentCache({ memory: new MemoryBlocks({ maxBytes: 10 }), disk });
  cache.putBlock(key('a', 0), bytes(10));
  cache.putBlock(key('a', 1), bytes(10));
  await cache.idle();
  t.is(await cachedBlock(cache, key('a', 0), 10), undefined);
  t.truthy(await cachedBlock(cache, key('a', 1), 10));
  t.is(disk.stats().failures, 2);
});

test('readFromDisk copies a range from the disk tier without promoting the block to memory', async (t) => {
  const memory = new MemoryBlocks({ maxBytes: 10 });
  const disk = await openDisk(t, 1000);
  const cache = new ContentCache({ memory, disk });
  const block = Buffer.from(Array.from({ length: 10 }, (_, i) => 100 + i));
  cache.putBlock(key('a', 0), block);
  cache.putBlock(key('a', 1), bytes(10, 7)); // pushes block 0 out of memory
  await cache.idle();
  t.is(cache.memoryBlock(key('a', 0)), undefined);
  const into = Buffer.alloc(3);
  t.true(await cache.readFromDisk(key('a', 0), into, 0, 4, 7));
  t.deepEqual(into, block.subarray(4, 7));
  t.false(memory.has(key('a', 0)), 'not promoted: a 4 KiB read must not cost a 1 MiB eviction');
  t.true(memory.has(key('a', 1)));
  t.false(await cache.readFromDisk(key('a', 2), into, 0, 0, 3));
  t.deepEqual(cache.memoryBlock(key('a', 1)), bytes(10, 7));
  t.like(cache.stats(), { hits: 2, misses: 1 });
});
