import test from 'ava';
import { prefetchAllowance, randomReadEnd, windowAfter } from '../../../daemon/read/window.js';

const MiB = 1024 * 1024;
const KiB = 1024;
const limits = { initial: 1 * MiB, max: 16 * MiB };

test('the window doubles each time the reader consumes a whole window, up to the cap', (t) => {
  const table: [number, number][] = [
    [0, 1 * MiB],
    [1 * MiB - 1, 1 * MiB],
    [1 * MiB, 2 * MiB],
    [3 * MiB, 4 * MiB],
    [7 * MiB, 8 * MiB],
    [15 * MiB, 16 * MiB],
    [1024 * MiB, 16 * MiB],
  ];
  for (const [consumed, window] of table) t.is(windowAfter(consumed, limits), window, `after ${consumed}`);
});

test('a cap below the initial window wins', (t) => {
  t.is(windowAfter(0, { initial: 1 * MiB, max: 256 * KiB }), 256 * KiB);
  t.is(windowAfter(100 * MiB, { initial: 1 * MiB, max: 256 * KiB }), 256 * KiB);
});

test('a random read is rounded up to 64 KiB and clipped to the object', (t) => {
  t.is(randomReadEnd(0, 4 * KiB, 10 * MiB), 64 * KiB);
  t.is(randomReadEnd(100, 100 + 64 * KiB, 10 * MiB), 100 + 64 * KiB);
  t.is(randomReadEnd(100, 100 + 64 * KiB + 1, 10 * MiB), 100 + 128 * KiB);
  t.is(randomReadEnd(10 * MiB - 10, 10 * MiB, 10 * MiB), 10 * MiB);
});

test('the prefetch allowance is shared equally by the runs streaming at once, within bounds', (t) => {
  t.is(prefetchAllowance(128 * MiB, 0, 64 * MiB), 64 * MiB);
  t.is(prefetchAllowance(128 * MiB, 1, 64 * MiB), 64 * MiB);
  t.is(prefetchAllowance(128 * MiB, 2, 64 * MiB), 64 * MiB);
  t.is(prefetchAllowance(128 * MiB, 4, 64 * MiB), 32 * MiB);
  t.is(prefetchAllowance(128 * MiB, 1000, 64 * MiB), 1 * MiB, 'never below one initial window');
  t.is(prefetchAllowance(0, 1, 64 * MiB), 1 * MiB);
  t.is(prefetchAllowance(0, 1, 256 * KiB), 256 * KiB, 'nor above the cap');
});
