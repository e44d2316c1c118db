// The stat cache: what is known about one name in a bucket, with a TTL and an entry bound. It stores; it
// does not fetch or decide invalidation (cached-backend.ts does both). An entry is full metadata from HEAD
// or a mutation, the thinner record a listing gives, or a marker that the name is a directory prefix.
// Stored metadata is frozen: a caller that mutated a shared entry would corrupt every later stat.
// An entry is never replaced by an older generation/metageneration of the same object, so a slow response
// overtaken by a newer one cannot roll the cache back.

import type { Clock } from '../common/clock.js';
import type { ListedObject, ObjectMeta } from '../storage/types.js';
import { TtlMap, bucketKeyPrefix, entryKey, type TtlMs } from './ttl-map.js';

export type StatEntry =
  /** Everything HEAD says. */
  | { kind: 'object'; meta: ObjectMeta }
  /** What a listing says: no content type, no custom metadata. */
  | { kind: 'listed'; listed: ListedObject }
  /** A prefix that has children (a directory; implicit unless an object of the same name exists). */
  | { kind: 'prefix' };

export interface MetadataCacheOptions {
  ttlMs: TtlMs;
  maxEntries: number;
  clock: Clock;
}

export class MetadataCache {
  readonly #map: TtlMap<StatEntry>;

  constructor(options: MetadataCacheOptions) {
    this.#map = new TtlMap<StatEntry>(options);
  }

  get enabled(): boolean {
    return this.#map.enabled;
  }

  get size(): number {
    return this.#map.size;
  }

  get(bucket: string, name: string): StatEntry | undefined {
    return this.#map.get(entryKey(bucket, name));
  }

  /** Full metadata, when that is what is cached. */
  getObject(bucket: string, name: string): ObjectMeta | undefined {
    const entry = this.get(bucket, name);
    return entry?.kind === 'object' ? entry.meta : undefined;
  }

  setObject(meta: ObjectMeta): void {
    const key = entryKey(meta.bucket, meta.name);
    const current = versionOf(this.#map.peek(key));
    if (current && compareVersions(meta, current) < 0) return;
    this.#map.set(key, { kind: 'object', meta: freezeMeta(meta) });
  }

  /** Records a listed object unless full metadata of the same (or a newer) version is cached. */
  setListed(bucket: string, listed: ListedObject): void {
    const key = entryKey(bucket, listed.name);
    const existing = this.#map.peek(key);
    const current = versionOf(existing);
    if (current) {
      const order = compareVersions(listed, current);
      if (order < 0 || (order === 0 && existing?.kind === 'object')) return;
    }
    this.#map.set(key, { kind: 'listed', listed: Object.freeze({ ...listed }) });
  }

  /** Records a directory prefix (ending with '/') unless something more specific is cached. */
  setPrefix(bucket: string, prefix: string): void {
    const key = entryKey(bucket, prefix);
    if (this.#map.peek(key)) return;
    this.#map.set(key, { kind: 'prefix' });
  }

  delete(bucket: string, name: string): void {
    this.#map.delete(entryKey(bucket, name));
  }

  /** Deletes the entry only if it is a prefix marker (a deletion may have emptied that directory). */
  deletePrefixMarker(bucket: string, prefix: string): void {
    const key = entryKey(bucket, prefix);
    if (this.#map.peek(key)?.kind === 'prefix') this.#map.delete(key);
  }

  deleteBucket(bucket: string): void {
    this.#map.deletePrefix(bucketKeyPrefix(bucket));
  }

  clear(): void {
    this.#map.clear();
  }
}

type Version = Pick<ListedObject, 'generation' | 'metageneration'>;

function versionOf(entry: StatEntry | undefined): Version | undefined {
  if (!entry) return undefined;
  switch (entry.kind) {
    case 'object':
      return entry.meta;
    case 'listed':
      return entry.listed;
    case 'prefix':
      return undefined;
  }
}

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
