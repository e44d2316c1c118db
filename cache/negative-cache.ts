// "This name does not exist" answers, bounded and with a short TTL of their own: a negative answer goes
// stale the moment another client creates the name, so it is trusted for less time than a positive one
// (gcsfuse's negative stat cache, default 5 s). Stores only; cached-backend.ts decides what goes in and
// what an operation invalidates.

import type { Clock } from '../common/clock.js';
import { TtlMap, bucketKeyPrefix, entryKey, type TtlMs } from './ttl-map.js';

export interface NegativeCacheOptions {
  ttlMs: TtlMs;
  maxEntries: number;
  clock: Clock;
}

const ABSENT = Object.freeze({ absent: true });

export class NegativeCache {
  readonly #map: TtlMap<typeof ABSENT>;

  constructor(options: NegativeCacheOptions) {
    this.#map = new TtlMap(options);
  }

  get enabled(): boolean {
    return this.#map.enabled;
  }

  get size(): number {
    return this.#map.size;
  }

  /** True when the name is known not to exist. */
  has(bucket: string, name: string): boolean {
    return this.#map.get(entryKey(bucket, name)) !== undefined;
  }

  add(bucket: string, name: string): void {
    this.#map.set(entryKey(bucket, name), ABSENT);
  }

  delete(bucket: string, name: string): void {
    this.#map.delete(entryKey(bucket, name));
  }

  deleteBucket(bucket: string): void {
    this.#map.deletePrefix(bucketKeyPrefix(bucket));
  }

  clear(): void {
    this.#map.clear();
  }
}
