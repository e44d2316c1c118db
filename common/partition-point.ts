// The one binary search of the project: the first index of [lo, hi) where `before(i)` turns false, for a
// predicate that holds on a prefix of the range and not after it (a lower bound in anything sorted). The
// stores' name lists, the fake's listings, the emulator's blob parts and the read path's chunks use it.

export function partitionPoint(lo: number, hi: number, before: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
