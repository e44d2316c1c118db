// Pure read-ahead policy: how many blocks past the current read to fetch. Sequential reads double the
// window up to a cap (a stream through `cp` or `cat` soon keeps several ranged GETs in flight); a random
// read resets it, so random access costs no wasted downloads. The cap is --read-ahead-size in blocks
// (gcsfuse's --sequential-read-size-mb); 0 turns read-ahead off.

export const MAX_READAHEAD_BLOCKS = 8;

export function nextWindow(current: number, sequential: boolean, max = MAX_READAHEAD_BLOCKS): number {
  if (!sequential || max <= 0) return 0;
  return Math.min(max, Math.max(1, current * 2));
}
