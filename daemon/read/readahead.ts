// Pure read-ahead policy: how many blocks past the current read to fetch. Sequential reads double the
// window up to a cap (a stream through `cp` or `cat` soon keeps several ranged GETs in flight); a random
// read resets it, so random access costs no wasted downloads.

export const MAX_READAHEAD_BLOCKS = 8;

export function nextWindow(current: number, sequential: boolean): number {
  if (!sequential) return 0;
  return Math.min(MAX_READAHEAD_BLOCKS, Math.max(1, current * 2));
}
