// A bounded LRU map whose entries expire by an injected clock: the common store behind the stat, negative
// and listing caches. TTLs follow gcsfuse: 0 disables the cache (nothing is stored), -1 or Infinity means
// entries never expire (they leave only by LRU bound or invalidation), a positive value is milliseconds.
// An entry is stale once `now >= storedAt + ttl`, checked on read against Clock.now(): tests advance a
// ManualClock and must see the exact boundary. The LRU is a Map in recency order (a hit moves its key to
// the end, eviction takes the first). Not lru-cache: it preallocates arrays of the whole bound (100,000
// stat entries) and refills them whenever its last entry goes, which the negative cache's one entry did
// at every create (200 us each, 6 % of the daemon's CPU in a `cp -r` of small files).

import type { Clock } from '../common/clock.js';

/** Milliseconds; 0 = disabled, -1 or Infinity = never expires. */
export type TtlMs = number;

export const TTL_DISABLED = 0;
export const TTL_FOREVER = -1;

export function checkTtl(name: string, ttlMs: TtlMs): void {
  const ok = ttlMs === -1 || ttlMs === Infinity || (Number.isFinite(ttlMs) && ttlMs >= 0);
  if (!ok) throw new RangeError(`${name} must be >= 0 ms, or -1/Infinity for "never expires"; got ${ttlMs}`);
}

export interface TtlMapOptions<V> {
  ttlMs: TtlMs;
  /** Bound on entries, or on the summed `sizeOf` when given. 0 disables the map. */
  maxEntries: number;
  clock: Clock;
  /** Weight of one value (at least 1), e.g. the number of names in a listing. */
  sizeOf?: (value: V) => number;
}

interface Stored<V> {
  value: V;
  expiresAt: number;
  weight: number;
}

export class TtlMap<V extends object> {
  readonly ttlMs: TtlMs;
  readonly #clock: Clock;
  /** Oldest use first; undefined when the map is off. */
  readonly #lru: Map<string, Stored<V>> | undefined;
  readonly #bound: number;
  readonly #sizeOf: ((value: V) => number) | undefined;
  #weight = 0;

  constructor(options: TtlMapOptions<V>) {
    checkTtl('ttl', options.ttlMs);
    if (!Number.isSafeInteger(options.maxEntries) || options.maxEntries < 0) {
      throw new RangeError(`maxEntries must be a non-negative integer, got ${options.maxEntries}`);
    }
    this.ttlMs = options.ttlMs;
    this.#clock = options.clock;
    this.#bound = options.maxEntries;
    this.#sizeOf = options.sizeOf;
    if (options.ttlMs !== 0 && options.maxEntries !== 0) this.#lru = new Map();
  }

  /** False when TTL 0 or a zero bound turned the map off: every get misses, every set is dropped. */
  get enabled(): boolean {
    return this.#lru !== undefined;
  }

  get size(): number {
    return this.#lru?.size ?? 0;
  }

  get(key: string): V | undefined {
    const lru = this.#lru;
    const stored = lru?.get(key);
    if (!lru || !stored) return undefined;
    lru.delete(key);
    if (this.#clock.now() >= stored.expiresAt) {
      this.#weight -= stored.weight;
      return undefined;
    }
    lru.set(key, stored);
    return stored.value;
  }

  /** Like get, but does not refresh the entry's LRU position. */
  peek(key: string): V | undefined {
    const stored = this.#lru?.get(key);
    return stored && this.#clock.now() < stored.expiresAt ? stored.value : undefined;
  }

  set(key: string, value: V): void {
    const lru = this.#lru;
    if (!lru) return;
    this.delete(key);
    const weight = this.#sizeOf ? Math.max(1, Math.ceil(this.#sizeOf(value))) : 1;
    if (weight > this.#bound) return; // heavier than the whole bound: not kept
    const forever = this.ttlMs === -1 || this.ttlMs === Infinity;
    lru.set(key, { value, expiresAt: forever ? Infinity : this.#clock.now() + this.ttlMs, weight });
    this.#weight += weight;
    while (this.#weight > this.#bound) {
      const oldest = lru.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
  }

  delete(key: string): void {
    const stored = this.#lru?.get(key);
    if (!stored) return;
    this.#lru?.delete(key);
    this.#weight -= stored.weight;
  }

  /** Deletes every entry whose key starts with `prefix` (a scan: for rare, wide invalidations). */
  deletePrefix(prefix: string): void {
    const lru = this.#lru;
    if (!lru) return;
    for (const key of lru.keys()) if (key.startsWith(prefix)) this.delete(key);
  }

  clear(): void {
    this.#lru?.clear();
    this.#weight = 0;
  }
}

/** Map key for (bucket, name). The JSON-quoted bucket cannot contain a raw newline, so the bucket part is
 *  unambiguous and `bucketKeyPrefix` selects exactly one bucket's entries. */
export function entryKey(bucket: string, name: string): string {
  return `${bucketKeyPrefix(bucket)}${name}`;
}

export function bucketKeyPrefix(bucket: string): string {
  return `${JSON.stringify(bucket)}\n`;
}
