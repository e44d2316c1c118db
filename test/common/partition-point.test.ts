// partitionPoint against a linear scan: random sorted arrays, every bound, empty and one-sided ranges.

import test from 'ava';
import { partitionPoint } from '../../common/partition-point.js';

test('the first index where the predicate turns false, as a linear scan finds it', (t) => {
  let seed = 7;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let round = 0; round < 200; round++) {
    const sorted = Array.from({ length: rand(20) }, () => rand(10)).sort((a, b) => a - b);
    for (let bound = -1; bound <= 10; bound++) {
      const linear = sorted.findIndex((x) => x >= bound);
      const expected = linear === -1 ? sorted.length : linear;
      t.is(
        partitionPoint(0, sorted.length, (i) => (sorted[i] ?? 0) < bound),
        expected,
      );
    }
  }
});

test('a range where the predicate holds throughout ends at hi; nowhere, at lo; an empty one at lo', (t) => {
  t.is(
    partitionPoint(3, 9, () => true),
    9,
  );
  t.is(
    partitionPoint(3, 9, () => false),
    3,
  );
  t.is(
    partitionPoint(4, 4, () => true),
    4,
  );
});
