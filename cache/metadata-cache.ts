// The stat cache: full metadata of one name in a bucket (from HEAD or a mutation), with a TTL and an entry
// bound (a NameMap, name-map.ts). It stores; it does not fetch or decide invalidation (cached-backend.ts does both). Stored metadata
// is frozen: a caller that mutated a shared entry would corrupt every later stat. An entry is never replaced
// by an older generation/metageneration of the same object, so a slow response overtaken by a newer one
// cannot roll the cache back. What a listing says is not stored here (it lacks the content type and custom
// metadata a stat needs); a listing that shows a newer version only drops the stale entry.

import type { ListedObject, ObjectMeta } from '../storage/types.js';
import { NameMap } from './name-map.js';
import { entryKey } from './ttl-map.js';

export class MetadataCache extends NameMap<ObjectMeta> {
  getObject(bucket: string, name: string): ObjectMeta | undefined {
    return this.map.get(entryKey(bucket, name));
  }

  setObject(meta: ObjectMeta): void {
    const key = entryKey(meta.bucket, meta.name);
    const current = this.map.peek(key);
    if (current && compareVersions(meta, current) < 0) return;
    this.map.set(key, freezeMeta(meta));
  }

  /** Drops the entry if `listed` (what a listing says about the same name) is a newer version of it. */
  dropIfOlder(bucket: string, listed: ListedObject): void {
    const key = entryKey(bucket, listed.name);
    const current = this.map.peek(key);
    if (current && compareVersions(listed, current) > 0) this.map.delete(key);
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

/** A frozen copy, one level deep plus the nested parts (custom metadata, the update time): every other
 *  field is a string or number. Not structuredClone: it cost a measurable share of a cold `ls -l`'s
 *  daemon CPU (one per HEAD). */
function freezeMeta(meta: ObjectMeta): ObjectMeta {
  const copy: ObjectMeta = {
    ...meta,
    updated: new Date(meta.updated.getTime()),
    metadata: Object.freeze({ ...meta.metadata }),
  };
  return Object.freeze(copy);
}
