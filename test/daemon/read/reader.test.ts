import test, { type ExecutionContext } from 'ava';
import { ByteBudget } from '../../../cache/budget.js';
import { ContentCache } from '../../../cache/content-cache.js';
import { DiskBlocks } from '../../../cache/disk-blocks.js';
import { MemoryBlocks } from '../../../cache/memory-blocks.js';
import { Reader, type ReadState } from '../../../daemon/read/reader.js';
import type { ReadOptions, StorageBackend } from '../../../storage/backend.js';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { isStorageError } from '../../../storage/errors.js';
import { MemoryBackend } from '../../../storage/fake/memory-backend.js';
import { counting } from '../../helpers/counting-backend.js';

const MiB = 1024 * 1024;
const KiB = 1024;

function pattern(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE(i >>> 2, i);
  return b;
}

interface Fixture {
  reader: Reader;
  data: Buffer;
  gets: () => number;
  /** Every GET made, with its range and signal. */
  calls: { options: ReadOptions }[];
  open: () => ReadState;
  inner: MemoryBackend;
  budget: ByteBudget;
}

async function fixture(
  t: ExecutionContext,
  o: { size?: number; memoryCache?: number; budget?: number; maxWindow?: number } = {},
): Promise<Fixture> {
  const inner = new MemoryBackend();
  await inner.createBucket('bkt');
  const data = pattern(o.size ?? 8 * MiB);
  const meta = await inner.writeObject('bkt', 'obj', data);
  const counted = counting(inner);
  const calls: { options: ReadOptions }[] = [];
  const recording: StorageBackend = new Proxy(counted.backend, {
    get(target, prop, receiver) {
      if (prop === 'readObject') {
        return (bucket: string, name: string, options: ReadOptions = {}) => {
          calls.push({ options });
          return target.readObject(bucket, name, options);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  const budget = new ByteBudget(o.budget ?? 512 * MiB);
  const memory = new MemoryBlocks({ maxBytes: o.memoryCache ?? 0, budget });
  const reader = new Reader(recording, new ContentCache({ memory }), {
    budget,
    prefetchAllowance: budget.limit - memory.maxBytes,
    ...(o.maxWindow === undefined ? {} : { maxWindow: o.maxWindow }),
  });
  const states: ReadState[] = [];
  t.teardown(() => {
    for (const s of states) s.close();
  });
  return {
    reader,
    data,
    calls,
    inner,
    budget,
    gets: () => counted.counts().readObject ?? 0,
    open: () => {
      const s = reader.open({ bucket: 'bkt', key: 'obj', generation: meta.generation, size: meta.size });
      states.push(s);
      return s;
    },
  };
}

async function readAll(reader: Reader, state: ReadState, size: number, chunk = 128 * KiB): Promise<Buffer> {
  const out = Buffer.alloc(size);
  for (let off = 0; off < size;) {
    const n = await reader.read(state, out.subarray(off), Math.min(chunk, size - off), off);
    if (n === 0) break;
    off += n;
  }
  return out;
}

/** Lets the prefetch pump run as far as it will (the memory backend makes chunks on demand). */
async function settle(turns = 200): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

test('a sequential 8 MiB read costs one GET with the memory cache off', async (t) => {
  const f = await fixture(t, { memoryCache: 0 });
  const s = f.open();
  const got = await readAll(f.reader, s, f.data.length);
  t.true(got.equals(f.data));
  t.is(f.gets(), 1);
  t.deepEqual(f.calls[0]?.options.range, { start: 0, end: f.data.length - 1 });
});

test('a sequential read fills the memory cache: a second handle reads with no GET', async (t) => {
  const f = await fixture(t, { memoryCache: 64 * MiB });
  t.true((await readAll(f.reader, f.open(), f.data.length)).equals(f.data));
  t.is(f.gets(), 1);
  t.true((await readAll(f.reader, f.open(), f.data.length, 4 * KiB)).equals(f.data));
  t.is(f.gets(), 1);
});

test('random small reads each fetch only what was asked, rounded up to 64 KiB', async (t) => {
  const f = await fixture(t, { size: 32 * MiB });
  const s = f.open();
  const offsets = [5 * MiB + 123, 17 * MiB, 2 * MiB + 7, 30 * MiB + 4096];
  for (const off of offsets) {
    const out = Buffer.alloc(4 * KiB);
    t.is(await f.reader.read(s, out, out.length, off), out.length);
    t.true(out.equals(f.data.subarray(off, off + out.length)));
  }
  t.is(f.gets(), offsets.length);
  t.deepEqual(
    f.calls.map((c) => c.options.range),
    offsets.map((off) => ({ start: off, end: off + 64 * KiB - 1 })),
  );
});

test("a read inside a random read's rounding costs no second GET; continuing from it streams", async (t) => {
  const f = await fixture(t, { size: 32 * MiB });
  const s = f.open();
  const out = Buffer.alloc(4 * KiB);
  const base = 9 * MiB;
  await f.reader.read(s, out, out.length, base);
  await f.reader.read(s, out, out.length, base + 8 * KiB);
  t.is(f.gets(), 1);
  // Sequential from the last read's end: one GET to the end of the object, then no more.
  const rest = Buffer.alloc(4 * MiB);
  let off = base + 12 * KiB;
  for (let done = 0; done < rest.length;) {
    const n = await f.reader.read(s, rest.subarray(done), 128 * KiB, off);
    done += n;
    off += n;
  }
  t.true(rest.equals(f.data.subarray(base + 12 * KiB, base + 12 * KiB + rest.length)));
  t.is(f.gets(), 2); // the random read (serving up to its rounding), then one stream to the end
});

test('a seek far ahead aborts the sequential GET it leaves', async (t) => {
  const f = await fixture(t, { size: 64 * MiB });
  const s = f.open();
  const out = Buffer.alloc(128 * KiB);
  await f.reader.read(s, out, out.length, 0);
  const first = f.calls[0]?.options.signal;
  t.false(first?.aborted);
  await f.reader.read(s, out, out.length, 40 * MiB);
  t.true(first?.aborted);
  t.true(out.equals(f.data.subarray(40 * MiB, 40 * MiB + out.length)));
});

test('a short forward skip within the window is served by the same GET', async (t) => {
  const f = await fixture(t, { size: 16 * MiB });
  const s = f.open();
  const out = Buffer.alloc(64 * KiB);
  await f.reader.read(s, out, out.length, 0);
  await f.reader.read(s, out, out.length, 512 * KiB);
  t.true(out.equals(f.data.subarray(512 * KiB, 576 * KiB)));
  t.is(f.gets(), 1);
});

test('closing the read state aborts the GET and gives every byte back to the budget', async (t) => {
  const f = await fixture(t, { size: 64 * MiB });
  const s = f.open();
  const out = Buffer.alloc(128 * KiB);
  await f.reader.read(s, out, out.length, 0);
  await settle();
  t.true(f.budget.used > 0);
  f.reader.close(s);
  t.true(f.calls[0]?.options.signal?.aborted);
  await settle();
  t.is(f.budget.used, 0);
  await t.throwsAsync(f.reader.read(s, out, out.length, 128 * KiB));
});

test('the window bounds how far a run streams ahead of the reader', async (t) => {
  const f = await fixture(t, { size: 64 * MiB, maxWindow: 4 * MiB });
  const s = f.open();
  const out = Buffer.alloc(128 * KiB);
  for (let off = 0; off < 32 * MiB; off += out.length) await f.reader.read(s, out, out.length, off);
  await settle();
  // Window 4 MiB ahead, 1 MiB kept behind, plus at most one chunk in hand.
  t.true(s.run !== undefined && s.run.held <= 5 * MiB + 64 * KiB, `held ${s.run?.held}`);
  t.true(s.run !== undefined && s.run.held >= 4 * MiB, 'streamed ahead up to the window');
});

test('prefetch never holds more than the byte budget beyond what reads wait for', async (t) => {
  const f = await fixture(t, { size: 64 * MiB, budget: 3 * MiB, maxWindow: 32 * MiB });
  const a = f.open();
  const b = f.open();
  const out = Buffer.alloc(128 * KiB);
  for (let off = 0; off < 16 * MiB; off += out.length) {
    await f.reader.read(a, out, out.length, off);
    t.true(out.equals(f.data.subarray(off, off + out.length)));
    await f.reader.read(b, out, out.length, off);
  }
  await settle();
  t.true(f.budget.used <= f.budget.limit);
  const held = (a.run?.held ?? 0) + (b.run?.held ?? 0);
  // Reserved bytes fit the budget; unreserved ones are only those reads waited for (kept 1 MiB behind).
  t.true(held <= f.budget.limit + 2 * (MiB + 128 * KiB), `held ${held}`);
  t.is(f.gets(), 2);
});

test('prefetch evicts memory-cache blocks rather than wait for room', async (t) => {
  const f = await fixture(t, { size: 16 * MiB, memoryCache: 8 * MiB, budget: 8 * MiB });
  // Fills the cache to its bound; closed, so its own read-ahead holds nothing of the budget.
  const filler = f.open();
  await readAll(f.reader, filler, 8 * MiB);
  filler.close();
  t.true(f.budget.used >= 6 * MiB, `the cache holds ${f.budget.used} bytes`);
  const s = f.open();
  const out = Buffer.alloc(128 * KiB);
  await f.reader.read(s, out, out.length, 12 * MiB);
  await f.reader.read(s, out, out.length, 12 * MiB + 128 * KiB);
  await settle();
  t.true(f.budget.used <= f.budget.limit);
  t.true((s.run?.held ?? 0) > 1 * MiB, 'the run streamed ahead by evicting cached blocks');
});

test('concurrent out-of-order reads of one handle share one GET', async (t) => {
  const f = await fixture(t, { size: 8 * MiB });
  const s = f.open();
  const a = Buffer.alloc(128 * KiB);
  const b = Buffer.alloc(128 * KiB);
  const c = Buffer.alloc(128 * KiB);
  await Promise.all([
    f.reader.read(s, a, a.length, 0),
    f.reader.read(s, c, c.length, 256 * KiB),
    f.reader.read(s, b, b.length, 128 * KiB),
  ]);
  t.true(Buffer.concat([a, b, c]).equals(f.data.subarray(0, 384 * KiB)));
  t.is(f.gets(), 1);
});

test('reads at and past the end return 0 without a request', async (t) => {
  const f = await fixture(t, { size: 1000 });
  const s = f.open();
  const out = Buffer.alloc(4096);
  t.is(await f.reader.read(s, out, 4096, 0), 1000);
  t.is(await f.reader.read(s, out, 4096, 1000), 0);
  t.is(await f.reader.read(s, out, 4096, 5000), 0);
  t.is(f.gets(), 1);
});

test('a handle whose generation was replaced fails with the storage error', async (t) => {
  const f = await fixture(t, { size: 4 * MiB });
  const s = f.open();
  await f.inner.writeObject('bkt', 'obj', Buffer.from('new content'));
  const out = Buffer.alloc(4096);
  const e = await t.throwsAsync(f.reader.read(s, out, out.length, 0));
  t.true(isStorageError(e, 'not-found') || isStorageError(e, 'precondition-failed'), String(e));
});

test('a read returns as soon as its own bytes have arrived, before the rest of the block', async (t) => {
  const body = new PassThrough();
  const gated = { readObject: () => Promise.resolve({ body, generation: '1', size: 4 * MiB }) };
  const reader = new Reader(
    gated as unknown as StorageBackend,
    new ContentCache({ memory: new MemoryBlocks({ maxBytes: 0 }) }),
  );
  const s = reader.open({ bucket: 'bkt', key: 'obj', generation: '1', size: 4 * MiB });
  t.teardown(() => s.close());
  body.write(Buffer.alloc(64 * KiB, 7));
  const out = Buffer.alloc(16 * KiB);
  t.is(await reader.read(s, out, out.length, 0), out.length); // 64 KiB of 4 MiB sent: enough for this read
  t.true(out.equals(Buffer.alloc(16 * KiB, 7)));
  const later = reader.read(s, out, out.length, 64 * KiB);
  body.write(Buffer.alloc(16 * KiB, 9));
  t.is(await later, out.length);
  t.true(out.equals(Buffer.alloc(16 * KiB, 9)));
});

test('runs streaming at once share the prefetch allowance: four readers hold a quarter each', async (t) => {
  const f = await fixture(t, { size: 64 * MiB, budget: 16 * MiB, maxWindow: 16 * MiB });
  const states = [f.open(), f.open(), f.open(), f.open()];
  const out = Buffer.alloc(128 * KiB);
  for (let off = 0; off < 24 * MiB; off += out.length) {
    for (const s of states) await f.reader.read(s, out, out.length, off);
  }
  await settle();
  t.is(f.reader.liveRuns, 4);
  for (const s of states) t.is(s.run?.window, 4 * MiB, 'a quarter of the 16 MiB allowance');
  const held = states.reduce((n, s) => n + (s.run?.held ?? 0), 0);
  // Each: its window ahead, 1 MiB kept behind, one 64 KiB chunk in hand.
  t.true(held <= 4 * (4 * MiB + 1 * MiB + 64 * KiB), `held ${held}`);
  states[0]?.close();
  states[1]?.close();
  await settle();
  t.is(f.reader.liveRuns, 2);
  t.is(states[2]?.run?.window, 8 * MiB, 'the others get the freed share');
});

test('random reads of blocks held only on disk are served in place: no GET, memory untouched', async (t) => {
  const inner = new MemoryBackend();
  await inner.createBucket('bkt');
  const data = pattern(4 * MiB);
  const meta = await inner.writeObject('bkt', 'obj', data);
  const counted = counting(inner);
  const cacheDir = await fsp.mkdtemp(join(tmpdir(), 'gcsmount-reader-disk-'));
  t.teardown(() => fsp.rm(cacheDir, { recursive: true, force: true }));
  const disk = await DiskBlocks.open({ cacheDir, maxBytes: 8 * MiB });
  const memory = new MemoryBlocks({ maxBytes: MiB });
  const cache = new ContentCache({ memory, disk });
  const target = { bucket: 'bkt', key: 'obj', generation: meta.generation, size: meta.size };
  for (let i = 0; i < 4; i++) {
    const block = { bucket: 'bkt', object: 'obj', generation: meta.generation, index: i };
    cache.putBlock(block, data.subarray(i * MiB, (i + 1) * MiB));
  }
  await cache.idle();
  memory.clear();
  const reader = new Reader(counted.backend, cache);
  const s = reader.open(target);
  t.teardown(() => s.close());
  // 4 KiB reads all over the object, and one that spans two blocks.
  for (const offset of [3 * MiB + 4096, 17, 2 * MiB - 2048, MiB + 65536, 3 * MiB - 1]) {
    const into = Buffer.alloc(4096);
    const n = await reader.read(s, into, 4096, offset);
    t.is(n, 4096);
    t.true(into.equals(data.subarray(offset, offset + 4096)), `bytes at ${offset}`);
  }
  t.is(counted.counts().readObject ?? 0, 0);
  t.is(memory.stats().blocks, 0, 'disk hits are not promoted to memory');
  t.true(disk.stats().hits >= 6);
});
