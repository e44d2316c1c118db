// The stat cache: full metadata of one name in a bucket (from HEAD or a mutation), with a TTL and an entry
// bound. It stores; it does not fetch or decide invalidation (cached-backend.ts does both). Stored metadata
// is frozen: a caller that mutated a shared entry would corrupt every later stat. An entry is never replaced
// by an older generation/metageneration of the same object, so a slow response overtaken by a newer one
// cannot roll the cache back. What a listing says is not stored here (it lacks the content type and custom
// metadata a stat needs); a listing that shows a newer version only drops the stale entry.

import type { Clock } from '../common/clock.js';
import type { ListedObject, ObjectMeta } from '../storage/types.js';
import { TtlMap, bucketKeyPrefix, entryKey, type TtlMs } from './ttl-map.js';

export interface MetadataCacheOptions {
  ttlMs: TtlMs;
  maxEntries: number;
  clock: Clock;
}

export class MetadataCache {
  readonly #map: TtlMap<ObjectMeta>;

  constructor(options: MetadataCacheOptions) {
    this.#map = new TtlMap<ObjectMeta>(options);
  }

  get enabled(): boolean {
    return this.#map.enabled;
  }

  get size(): number {
    return this.#map.size;
  }

  getObject(bucket: string, name: string): ObjectMeta | undefined {
    return this.#map.get(entryKey(bucket, name));
  }

  setObject(meta: ObjectMeta): void {
    const key = entryKey(meta.bucket, meta.name);
    const current = this.#map.peek(key);
    if (current && compareVersions(meta, current) < 0) return;
    this.#map.set(key, freezeMeta(meta));
  }

  /** Drops the entry if `listed` (what a listing says about the same name) is a newer version of it. */
  dropIfOlder(bucket: string, listed: ListedObject): void {
    const key = entryKey(bucket, listed.name);
    const current = this.#map.peek(key);
    if (current && compareVersions(listed, current) > 0) this.#map.delete(key);
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

type Version = Pick<ListedObject, 'generation' | 'metageneration'>;

/** Orders versions of one object: generation first, then metageneration (both int64 decimal strings). */
export function compareVersions(a: Version, b: Version): number {
  const byGeneration = compareDecimal(a.generation, b.generation);
  return byGeneration !== 0 ? byGeneration : compareDecimal(a.metageneration, b.metageneration);
}

function compareDecimal(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function freezeMeta(meta: ObjectMeta): ObjectMeta {
  const copy = structuredClone(meta);
  Object.freeze(copy.metadata);
  return Object.freeze(copy);
}
