import test from 'ava';
import { blockDataBuffer, blockDataLength, copyBlockData } from '../../cache/block-data.js';

const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + 1) & 0xff));

test('parts and one buffer give the same length, bytes and ranges', (t) => {
  const whole = bytes(1000);
  const parts = [whole.subarray(0, 1), whole.subarray(1, 400), whole.subarray(400, 999), whole.subarray(999)];
  t.is(blockDataLength(parts), 1000);
  t.is(blockDataLength(whole), 1000);
  t.true(blockDataBuffer(parts).equals(whole));
  t.is(blockDataBuffer(whole), whole, 'a single buffer is not copied');
  for (const [from, to] of [
    [0, 1000],
    [0, 1],
    [1, 2],
    [399, 401],
    [300, 999],
    [998, 1000],
    [500, 2000],
  ] as const) {
    for (const data of [whole, parts]) {
      const into = Buffer.alloc(1100, 0xee);
      const n = copyBlockData(data, into, 7, from, to);
      const want = whole.subarray(from, Math.min(to, 1000));
      t.is(n, want.length);
      t.true(into.subarray(7, 7 + n).equals(want), `${from}-${to}`);
      t.is(into[6], 0xee);
      t.is(into[7 + n], 0xee);
    }
  }
});
