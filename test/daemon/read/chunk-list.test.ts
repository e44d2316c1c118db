import test from 'ava';
import { ChunkList } from '../../../daemon/read/chunk-list.js';

function pattern(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + 3) & 0xff;
  return b;
}

/** A list holding `data` (starting at absolute `base`) in chunks of the given sizes. */
function listOf(data: Buffer, base: number, sizes: number[]): ChunkList {
  const list = new ChunkList(base);
  let at = 0;
  for (const [i, n] of sizes.entries()) {
    list.push(data.subarray(at, at + n), i % 2 === 0);
    at += n;
  }
  return list;
}

test('copies any range across chunk boundaries, byte-exact', (t) => {
  const data = pattern(1000);
  const list = listOf(data, 5000, [100, 1, 299, 400, 200]);
  t.is(list.start, 5000);
  t.is(list.end, 6000);
  t.is(list.bytes, 1000);
  for (const [from, to] of [
    [0, 1000],
    [0, 1],
    [99, 101],
    [100, 101],
    [101, 400],
    [350, 950],
    [999, 1000],
  ] as const) {
    const into = Buffer.alloc(to - from);
    t.is(list.copy(into, 5000 + from, 5000 + to), to - from);
    t.true(into.equals(data.subarray(from, to)), `range ${from}-${to}`);
  }
});

test('a range past what is held copies only the held part', (t) => {
  const data = pattern(300);
  const list = listOf(data, 0, [100, 100, 100]);
  const into = Buffer.alloc(200);
  t.is(list.copy(into, 250, 450), 50);
  t.true(into.subarray(0, 50).equals(data.subarray(250, 300)));
});

test('dropBefore drops whole chunks only and reports the reserved bytes', (t) => {
  const data = pattern(600);
  // Chunks 0, 2, 4 are reserved (even indexes).
  const list = listOf(data, 0, [100, 100, 100, 100, 100, 100]);
  t.is(list.dropBefore(150), 100);
  t.is(list.start, 100);
  t.is(list.bytes, 500);
  t.is(list.dropBefore(300), 100);
  t.is(list.start, 300);
  const into = Buffer.alloc(100);
  t.is(list.copy(into, 300, 400), 100);
  t.true(into.equals(data.subarray(300, 400)));
  t.is(list.clear(), 100);
  t.is(list.bytes, 0);
  t.is(list.start, 600);
});

test('stays correct after many drops (compaction)', (t) => {
  const data = pattern(10_000);
  const list = listOf(
    data,
    0,
    Array.from({ length: 1000 }, () => 10),
  );
  for (let at = 0; at < 9_000; at += 130) {
    list.dropBefore(at);
    const into = Buffer.alloc(500);
    t.is(list.copy(into, at, at + 500), 500);
    if (!into.equals(data.subarray(at, at + 500))) t.fail(`range at ${at}`);
  }
  t.is(list.bytes, 10_000 - list.start);
});
