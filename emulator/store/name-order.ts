// Object names sort by their UTF-8 bytes, as the real listing does. JavaScript compares UTF-16 code units,
// which disagrees for characters above U+FFFF against U+E000..U+FFFF; comparing code points fixes that and
// code-point order equals UTF-8 byte order.

import { partitionPoint } from '../../common/partition-point.js';

export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    // A surrogate (part of a code point >= U+10000) outranks any BMP unit >= U+E000 but not those below it.
    return xs ? (y >= 0xe000 ? 1 : x - y) : x >= 0xe000 ? -1 : x - y;
  }
  return a.length - b.length;
}

/** Index of the first element of the sorted array that is >= name (or > name when `after`). */
export function lowerBound(sorted: readonly string[], name: string, after = false): number {
  return partitionPoint(0, sorted.length, (i) => {
    const c = compareNames(sorted[i] as string, name);
    return c < 0 || (after && c === 0);
  });
}
