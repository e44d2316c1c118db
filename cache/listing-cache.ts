// Directory listings: for a bucket and a directory prefix ('' for the root, otherwise ending with '/'), the
// complete one-level listing with delimiter '/': objects and subdirectory prefixes, with a TTL and a bound
// on the total number of names held. It stores and answers "is this an implicit directory"; it does not
// fetch. Invalidating a path drops the listing of every ancestor, not just the parent: creating a/b/c can
// make a/ and a/b/ appear as implicit directories, and deleting it can make them vanish.

import type { Clock } from '../common/clock.js';
import type { ListedObject } from '../storage/types.js';
import { TtlMap, bucketKeyPrefix, entryKey, type TtlMs } from './ttl-map.js';

export const DELIMITER = '/';

export interface DirListing {
  /** Objects directly in the directory, including a marker object named exactly like the prefix. */
  objects: readonly ListedObject[];
  /** Subdirectory prefixes (each ends with '/'). */
  prefixes: readonly string[];
}

/** explicit: a marker object exists; implicit: children only; absent: neither. */
export type DirKind = 'explicit' | 'implicit' | 'absent';

export interface ListingCacheOptions {
  ttlMs: TtlMs;
  /** Bound on the names (objects + prefixes) held across all listings. */
  maxEntries: number;
  clock: Clock;
}

export class ListingCache {
  readonly #map: TtlMap<DirListing>;

  constructor(options: ListingCacheOptions) {
    this.#map = new TtlMap<DirListing>({
      ...options,
      sizeOf: (l) => 1 + l.objects.length + l.prefixes.length,
    });
  }

  get enabled(): boolean {
    return this.#map.enabled;
  }

  get size(): number {
    return this.#map.size;
  }

  get(bucket: string, dirPrefix: string): DirListing | undefined {
    return this.#map.get(entryKey(bucket, checkDirPrefix(dirPrefix)));
  }

  set(bucket: string, dirPrefix: string, listing: DirListing): void {
    this.#map.set(
      entryKey(bucket, checkDirPrefix(dirPrefix)),
      Object.freeze({
        objects: Object.freeze(listing.objects.map((o) => Object.freeze({ ...o }))),
        prefixes: Object.freeze([...listing.prefixes]),
      }),
    );
  }

  /** What the cached listing of `dirPrefix` says about that directory; undefined when not cached. */
  dirKind(bucket: string, dirPrefix: string): DirKind | undefined {
    const listing = this.get(bucket, dirPrefix);
    if (!listing) return undefined;
    if (listing.objects.some((o) => o.name === dirPrefix)) return 'explicit';
    return listing.objects.length > 0 || listing.prefixes.length > 0 ? 'implicit' : 'absent';
  }

  /** Drops every listing that could show `name`: all its ancestors, and its own if it is a directory. */
  invalidatePath(bucket: string, name: string): void {
    for (const dir of listingsShowing(name)) this.#map.delete(entryKey(bucket, dir));
  }

  delete(bucket: string, dirPrefix: string): void {
    this.#map.delete(entryKey(bucket, checkDirPrefix(dirPrefix)));
  }

  deleteBucket(bucket: string): void {
    this.#map.deletePrefix(bucketKeyPrefix(bucket));
  }

  clear(): void {
    this.#map.clear();
  }
}

/** Directory prefixes above `name`: 'a/b/c' and 'a/b/c/' -> ['', 'a/', 'a/b/']. */
export function ancestorPrefixes(name: string): string[] {
  const out = [''];
  let at = name.indexOf(DELIMITER);
  while (at !== -1 && at < name.length - 1) {
    out.push(name.slice(0, at + 1));
    at = name.indexOf(DELIMITER, at + 1);
  }
  return out;
}

/** Every directory listing in which `name` (or the directory it names) appears. */
export function listingsShowing(name: string): string[] {
  const dirs = ancestorPrefixes(name);
  if (name.endsWith(DELIMITER)) dirs.push(name);
  return dirs;
}

/** True for '' and for names ending with the delimiter. */
export function isDirPrefix(prefix: string): boolean {
  return prefix === '' || prefix.endsWith(DELIMITER);
}

function checkDirPrefix(prefix: string): string {
  if (!isDirPrefix(prefix))
    throw new RangeError(`not a directory prefix (must be '' or end with '/'): ${prefix}`);
  return prefix;
}
