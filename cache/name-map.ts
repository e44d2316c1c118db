// A TtlMap keyed by (bucket, name): what the stat cache (metadata-cache.ts) and the name sets
// (name-set.ts: absent names, names known to be files) have in common, the bound, the TTL by the injected
// clock and the invalidations by name, by bucket and of everything. Subclasses add what they store.

import type { Clock } from '../common/clock.js';
import { TtlMap, bucketKeyPrefix, entryKey, type TtlMs } from './ttl-map.js';

export interface NameMapOptions {
  ttlMs: TtlMs;
  maxEntries: number;
  clock: Clock;
}

export class NameMap<V extends object> {
  protected readonly map: TtlMap<V>;

  constructor(options: NameMapOptions) {
    this.map = new TtlMap<V>(options);
  }

  /** False when TTL 0 or a zero bound turned the map off: nothing is remembered. */
  get enabled(): boolean {
    return this.map.enabled;
  }

  get size(): number {
    return this.map.size;
  }

  delete(bucket: string, name: string): void {
    this.map.delete(entryKey(bucket, name));
  }

  /** Deletes every name of `bucket` that starts with `prefix` (a scan: for rare, wide invalidations such
   *  as a directory's rename). */
  deleteUnder(bucket: string, prefix: string): void {
    this.map.deletePrefix(entryKey(bucket, prefix));
  }

  deleteBucket(bucket: string): void {
    this.map.deletePrefix(bucketKeyPrefix(bucket));
  }

  clear(): void {
    this.map.clear();
  }
}
