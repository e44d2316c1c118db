// How long the kernel may keep what the daemon answered, as libfuse `-o` options: `attr_timeout` (a
// name's attributes), `entry_timeout` (a name -> inode mapping) and `negative_timeout` (a name that does
// not exist). libfuse's defaults (1 s, 1 s, 0) make a warm `ls -l` of 10,000 names 10,000 getattr round
// trips through the daemon; the daemon's own caches already trust the same answers for their TTLs, so the
// kernel gets the same TTLs (as gcsfuse does): attributes for the stat-cache TTL, entries for the shorter
// of the stat and type caches' TTLs (a lookup answers from both), absent names for the negative cache's.
// Changes made through this mount reach the kernel through the ops themselves (create, write, setattr,
// rename, unlink replies and invalidations); changes by other clients are seen after the TTL
// (docs/SEMANTICS.md). A TTL of 0 stays 0 (fuse-native drops a 0 option, so every value is written out
// here), and "never expires" becomes ten years.

/** TTLs in milliseconds as the caches take them: 0 = off, -1 or Infinity = never expires. */
export interface KernelCacheTtls {
  statCacheTtlMs: number;
  typeCacheTtlMs: number;
  negativeCacheTtlMs: number;
}

/** What the kernel gets for "never expires" (seconds). */
export const FOREVER_S = 10 * 365 * 24 * 3600;

function seconds(ttlMs: number): number {
  if (ttlMs === -1 || ttlMs === Infinity) return FOREVER_S;
  return Math.max(0, ttlMs) / 1000;
}

/** The libfuse options, e.g. `['attr_timeout=60', 'entry_timeout=60', 'negative_timeout=5']`. */
export function kernelCacheOptions(t: KernelCacheTtls): string[] {
  const attr = seconds(t.statCacheTtlMs);
  const entry = Math.min(attr, seconds(t.typeCacheTtlMs));
  return [
    `attr_timeout=${attr}`,
    `entry_timeout=${entry}`,
    `negative_timeout=${seconds(t.negativeCacheTtlMs)}`,
  ];
}
