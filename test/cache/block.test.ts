import test from 'ava';
import fc from 'fast-check';
import {
  DEFAULT_BLOCK_SIZE,
  blockCount,
  blockIndex,
  blockLength,
  blockStart,
  splitRange,
} from '../../cache/block.js';

test('default block size is 1 MiB', (t) => {
  t.is(DEFAULT_BLOCK_SIZE, 1048576);
  t.is(blockIndex(DEFAULT_BLOCK_SIZE - 1), 0);
  t.is(blockIndex(DEFAULT_BLOCK_SIZE), 1);
});

const indexCases: [offset: number, blockSize: number, index: number][] = [
  [0, 10, 0],
  [9, 10, 0],
  [10, 10, 1],
  [25, 10, 2],
  [5 * 1024 ** 4, DEFAULT_BLOCK_SIZE, 5 * 1024 * 1024],
];
for (const [offset, blockSize, index] of indexCases) {
  test(`blockIndex(${offset}, ${blockSize}) = ${index}`, (t) => {
    t.is(blockIndex(offset, blockSize), index);
    t.true(blockStart(index, blockSize) <= offset);
    t.true(offset < blockStart(index + 1, blockSize));
  });
}

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

const splitCases: [
  name: string,
  offset: number,
  length: number,
  objectSize: number,
  slices: [index: number, blockStart: number, start: number, end: number][],
][] = [
  ['zero-length', 5, 0, 100, []],
  ['inside one block', 2, 5, 100, [[0, 0, 2, 7]]],
  ['exactly one block', 10, 10, 100, [[1, 10, 0, 10]]],
  [
    'spanning three blocks',
    5,
    20,
    100,
    [
      [0, 0, 5, 10],
      [1, 10, 0, 10],
      [2, 20, 0, 5],
    ],
  ],
  [
    'ending in the last partial block',
    15,
    100,
    25,
    [
      [1, 10, 5, 10],
      [2, 20, 0, 5],
    ],
  ],
  ['the last partial block alone', 20, 5, 25, [[2, 20, 0, 5]]],
  ['starting at EOF', 25, 10, 25, []],
  ['starting past EOF', 40, 10, 25, []],
  ['empty object', 0, 10, 0, []],
];
for (const [name, offset, length, objectSize, expected] of splitCases) {
  test(`splitRange: ${name}`, (t) => {
    const slices = splitRange(offset, length, objectSize, 10);
    t.deepEqual(
      slices,
      expected.map(([index, blockStart, start, end]) => ({ index, blockStart, start, end })),
    );
    const total = slices.reduce((sum, s) => sum + s.end - s.start, 0);
    t.is(total, Math.max(0, Math.min(offset + length, objectSize) - offset));
  });
}

test('splitRange slices are contiguous and cover the clipped range', (t) => {
  for (let offset = 0; offset < 40; offset += 3) {
    for (let length = 0; length < 40; length += 7) {
      const slices = splitRange(offset, length, 33, 8);
      let pos = offset;
      for (const s of slices) {
        t.is(s.blockStart + s.start, pos);
        t.true(s.end <= 8 && s.start < s.end);
        pos = s.blockStart + s.end;
      }
      t.is(pos, Math.max(offset, Math.min(offset + length, 33)));
    }
  }
});

test('invalid inputs are rejected', (t) => {
  t.throws(() => blockIndex(-1), { instanceOf: RangeError });
  t.throws(() => blockIndex(1.5), { instanceOf: RangeError });
  t.throws(() => blockIndex(0, 0), { instanceOf: RangeError });
  t.throws(() => splitRange(0, -1, 10), { instanceOf: RangeError });
  t.throws(() => splitRange(0, 1, Number.NaN), { instanceOf: RangeError });
});

test('splitRange agrees with a byte-by-byte model', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 17 }),
      fc.nat(200),
      fc.nat(200),
      fc.nat(200),
      (blockSize, offset, length, objectSize) => {
        const model = new Map<number, number[]>();
        for (let pos = offset; pos < Math.min(offset + length, objectSize); pos++) {
          const index = Math.floor(pos / blockSize);
          model.set(index, [...(model.get(index) ?? []), pos - index * blockSize]);
        }
        const slices = splitRange(offset, length, objectSize, blockSize);
        t.deepEqual(
          slices.map((s) => s.index),
          [...model.keys()],
        );
        for (const s of slices) {
          const within = model.get(s.index)!;
          t.is(s.start, within[0]!);
          t.is(s.end, within.at(-1)! + 1);
          t.is(s.blockStart, s.index * blockSize);
          t.true(s.blockStart + s.end <= objectSize);
        }
      },
    ),
  );
});
