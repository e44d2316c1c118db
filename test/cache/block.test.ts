import test from 'ava';
import { DEFAULT_BLOCK_SIZE, blockCount, blockLength, blockStart } from '../../cache/block.js';

test('default block size is 1 MiB', (t) => {
  t.is(DEFAULT_BLOCK_SIZE, 1048576);
  t.is(blockStart(1), DEFAULT_BLOCK_SIZE);
  t.is(blockStart(5 * 1024 * 1024), 5 * 1024 ** 4);
});

const lengthCases: [objectSize: number, count: number, lengths: number[]][] = [
  [0, 0, []],
  [1, 1, [1]],
  [10, 1, [10]],
  [11, 2, [10, 1]],
  [25, 3, [10, 10, 5]],
];
for (const [objectSize, count, lengths] of lengthCases) {
  test(`an object of ${objectSize} bytes has ${count} blocks of size 10`, (t) => {
    t.is(blockCount(objectSize, 10), count);
    t.deepEqual(
      Array.from({ length: count }, (_, i) => blockLength(i, objectSize, 10)),
      lengths,
    );
    t.is(blockLength(count, objectSize, 10), 0);
  });
}

test('invalid inputs are rejected', (t) => {
  t.throws(() => blockStart(-1), { instanceOf: RangeError });
  t.throws(() => blockStart(1.5), { instanceOf: RangeError });
  t.throws(() => blockStart(0, 0), { instanceOf: RangeError });
  t.throws(() => blockCount(-1), { instanceOf: RangeError });
  t.throws(() => blockLength(0, Number.NaN), { instanceOf: RangeError });
});
