import test from 'ava';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockKey } from '../../cache/block-key.js';
import { DISK_BLOCKS_DIR, DiskBlocks, type DiskFs } from '../../cache/disk-blocks.js';
import { diskBlock } from '../helpers/cached-block.js';

const key = (object: string, index: number, generation = '1'): BlockKey => ({
  bucket: 'b',
  object,
  generation,
  index,
});
const bytes = (n: number, fill = 1): Buffer => Buffer.alloc(n, fill);

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'gcsmount-disk-blocks-'));
  t.teardown(() => fsp.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file under `dir` with its size. */
async function filesUnder(dir: string): Promise<{ path: string; size: number }[]> {
  const names = await fsp.readdir(dir, { recursive: true });
  const out: { path: string; size: number }[] = [];
  for (const name of names) {
    const st = await fsp.stat(join(dir, name));
    if (st.isFile()) out.push({ path: name, size: st.size });
  }
  return out;
}

const total = (files: { size: number }[]): number => files.reduce((s, f) => s + f.size, 0);

test('a stored block reads back; file names come from a hash, never from the object name', async (t) => {
  const cacheDir = await tempDir(t);
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 1000 });
  const hostile = '../../etc/passwd\u0000x';
  t.true(await disk.put(key(hostile, 0), bytes(10, 5)));
  t.deepEqual(await diskBlock(disk, key(hostile, 0), 10), bytes(10, 5));
  t.is(await diskBlock(disk, key(hostile, 0, '2'), 10), undefined);
  const files = await filesUnder(disk.dir);
  t.is(files.length, 1);
  t.regex(files[0]!.path, /^[0-9a-f]{2}\/[0-9a-f]{64}-\d+$/);
  t.deepEqual(disk.stats(), { hits: 1, misses: 1, bytes: 10, blocks: 1, evictions: 0, failures: 0 });
});

test('open wipes earlier blocks but nothing else in the cache dir', async (t) => {
  const cacheDir = await tempDir(t);
  await fsp.mkdir(join(cacheDir, DISK_BLOCKS_DIR, 'ab'), { recursive: true });
  await fsp.writeFile(join(cacheDir, DISK_BLOCKS_DIR, 'ab', 'stale.tmp'), 'x');
  await fsp.writeFile(join(cacheDir, 'staged-write'), 'keep me');
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 1000 });
  t.deepEqual(await filesUnder(disk.dir), []);
  t.is(await fsp.readFile(join(cacheDir, 'staged-write'), 'utf8'), 'keep me');
});

test('the hard byte bound holds on disk and evicts the least recently used block', async (t) => {
  const cacheDir = await tempDir(t);
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 30 });
  for (let i = 0; i < 3; i++) t.true(await disk.put(key('a', i), bytes(10, i)));
  t.truthy(await diskBlock(disk, key('a', 0), 10));
  t.true(await disk.put(key('a', 3), bytes(10, 3)));
  t.true(disk.has(key('a', 0)));
  t.false(disk.has(key('a', 1)));
  t.is(await diskBlock(disk, key('a', 1), 10), undefined);
  t.is(total(await filesUnder(disk.dir)), 30);
  t.is(disk.stats().bytes, 30);
  t.is(disk.stats().evictions, 1);
  t.false(await disk.put(key('a', 9), bytes(31)), 'a block larger than the bound is refused');
});

test('concurrent puts never exceed the bound', async (t) => {
  const cacheDir = await tempDir(t);
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 45 });
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => disk.put(key('a', i), bytes(10))));
  await disk.idle();
  t.true(results.filter(Boolean).length >= 1);
  t.true(disk.stats().bytes <= 45);
  t.is(total(await filesUnder(disk.dir)), disk.stats().bytes);
});

test('deleteObject removes every generation of the object from disk', async (t) => {
  const cacheDir = await tempDir(t);
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 1000 });
  await disk.put(key('a', 0, '1'), bytes(10));
  await disk.put(key('a', 1, '2'), bytes(10));
  await disk.put(key('b', 0), bytes(7));
  await disk.deleteObject('b', 'a');
  t.false(disk.has(key('a', 0, '1')));
  t.false(disk.has(key('a', 1, '2')));
  t.true(disk.has(key('b', 0)));
  t.is(total(await filesUnder(disk.dir)), 7);
  t.is(disk.stats().bytes, 7);
  await disk.clear();
  t.deepEqual(await filesUnder(disk.dir), []);
  t.is(disk.stats().bytes, 0);
});

test('the same block written twice at once is written once', async (t) => {
  const cacheDir = await tempDir(t);
  let writes = 0;
  const fs: DiskFs = {
    ...fsp,
    open: (...args: Parameters<typeof fsp.open>) => {
      if (args[1] === 'wx') writes++;
      return fsp.open(...args);
    },
  };
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 1000, fs });
  t.deepEqual(await Promise.all([disk.put(key('a', 0), bytes(10)), disk.put(key('a', 0), bytes(10))]), [
    true,
    true,
  ]);
  t.true(await disk.put(key('a', 0), bytes(10)));
  t.is(writes, 1);
});

test('ENOSPC evicts, fails soft and leaves no temp file', async (t) => {
  const cacheDir = await tempDir(t);
  let full = false;
  const fs: DiskFs = {
    ...fsp,
    open: async (...args: Parameters<typeof fsp.open>) => {
      const fh = await fsp.open(...args);
      if (full && args[1] === 'wx') {
        // The disk fills mid-block: part of it reaches the file, then the write fails.
        fh.writev = async () => {
          await fh.write('partial');
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        };
      }
      return fh;
    },
  };
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 1000, fs });
  for (let i = 0; i < 4; i++) await disk.put(key('a', i), bytes(10));
  full = true;
  t.false(await disk.put(key('b', 0), bytes(15)));
  t.false(disk.has(key('b', 0)));
  t.is(disk.stats().failures, 1);
  t.is(disk.stats().blocks, 2, 'evicted at least the bytes it failed to write');
  t.false(disk.has(key('a', 0)));
  t.true(disk.has(key('a', 3)));
  const files = await filesUnder(disk.dir);
  t.is(files.length, 2, 'the partly written file is removed');
  t.is(total(files), disk.stats().bytes);
  full = false;
  t.true(await disk.put(key('b', 0), bytes(15)));
});

test('a block file removed or damaged behind our back is a miss, not an error', async (t) => {
  const cacheDir = await tempDir(t);
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 1000 });
  await disk.put(key('a', 0), bytes(10));
  await disk.put(key('a', 1), bytes(10));
  const [first, second] = await filesUnder(disk.dir);
  await fsp.truncate(join(disk.dir, first!.path), 3);
  await fsp.unlink(join(disk.dir, second!.path));
  t.is(await diskBlock(disk, key('a', 0), 10), undefined);
  t.is(await diskBlock(disk, key('a', 1), 10), undefined);
  t.is(disk.stats().blocks, 0);
  t.is(disk.stats().bytes, 0);
});

test('a write in flight when its object is invalidated is discarded', async (t) => {
  const cacheDir = await tempDir(t);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const fs: DiskFs = {
    ...fsp,
    open: async (...args: Parameters<typeof fsp.open>) => {
      if (args[1] === 'wx') await gate;
      return fsp.open(...args);
    },
  };
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 1000, fs });
  const put = disk.put(key('a', 0), bytes(10));
  await disk.deleteObject('b', 'a');
  release();
  t.false(await put);
  t.false(disk.has(key('a', 0)));
  await disk.idle();
  t.deepEqual(await filesUnder(disk.dir), []);
  t.is(disk.stats().bytes, 0);
});

test('a ranged read copies just that range from the block file, without reading the whole file', async (t) => {
  const cacheDir = await tempDir(t);
  // The seam has no readFile: a whole-file read cannot happen. The opens are counted.
  const calls = { open: 0 };
  const fs: DiskFs = {
    ...fsp,
    open: (...args: Parameters<typeof fsp.open>) => {
      if (args[1] === 'r') calls.open++;
      return fsp.open(...args);
    },
  };
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 1000, fs });
  const block = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
  await disk.put(key('a', 0), block);
  const into = Buffer.alloc(12, 0xee);
  t.true(await disk.read(key('a', 0), into, 2, 40, 50));
  t.deepEqual(into, Buffer.concat([Buffer.alloc(2, 0xee), block.subarray(40, 50)]));
  t.true(await disk.read(key('a', 0), into, 0, 90, 100));
  t.deepEqual(into.subarray(0, 10), block.subarray(90, 100));
  t.deepEqual(calls, { open: 1 }, 'one open for both reads');
  t.false(await disk.read(key('a', 1), into, 0, 0, 10), 'a block not cached');
  t.false(await disk.read(key('a', 0), into, 0, 95, 105), 'past the block’s end');
  t.deepEqual(disk.stats(), { hits: 2, misses: 2, bytes: 100, blocks: 1, evictions: 0, failures: 0 });
});

test('a ranged read of a block file removed behind our back is a miss and drops the block', async (t) => {
  const cacheDir = await tempDir(t);
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 1000 });
  await disk.put(key('a', 0), bytes(10));
  const [file] = await filesUnder(disk.dir);
  await fsp.unlink(join(disk.dir, file!.path));
  t.false(await disk.read(key('a', 0), Buffer.alloc(4), 0, 0, 4));
  t.false(disk.has(key('a', 0)));
  t.is(disk.stats().bytes, 0);
  t.is(disk.stats().failures, 0, 'ENOENT is a plain miss');
});

test('an evicted block’s kept handle is closed: the bound holds for descriptors too', async (t) => {
  const cacheDir = await tempDir(t);
  const closed: string[] = [];
  const fs: DiskFs = {
    ...fsp,
    open: async (...args: Parameters<typeof fsp.open>) => {
      const fh = await fsp.open(...args);
      if (args[1] !== 'r') return fh; // a block being written
      const close = fh.close.bind(fh);
      fh.close = () => {
        closed.push(String(args[0]));
        return close();
      };
      return fh;
    },
  };
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 20, fs });
  await disk.put(key('a', 0), bytes(10));
  t.true(await disk.read(key('a', 0), Buffer.alloc(4), 0, 0, 4));
  await disk.put(key('a', 1), bytes(10));
  await disk.put(key('a', 2), bytes(10)); // evicts block 0
  await new Promise((r) => setTimeout(r, 20));
  t.false(disk.has(key('a', 0)));
  t.is(closed.length, 1);
});
