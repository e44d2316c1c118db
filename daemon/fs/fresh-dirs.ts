// Directories this mount created with mkdir, whose contents it therefore knows: empty at creation, and
// since then only what the mount itself put there. A lookup of a name inside one that the mount never
// touched is answered "absent" with no request (a `cp -r` into a new directory looks up every name before
// creating it: two requests each otherwise). Every name the mount creates, renames or removes is told
// (Namespace.forgetPath -> touch), and a touched name is looked up as usual. Trusted for the type-cache
// TTL, like the other answers about what a name is; objects that other clients put there meanwhile show
// after it (docs/SEMANTICS.md). Only with implicit directories on: otherwise a mkdir can succeed over a
// prefix that already holds objects (they were hidden), so the new directory is not known empty.
// Forgetting an entry (LRU bound, TTL, rmdir or rename of the directory) only costs requests again.

import { TtlMap, entryKey, type TtlMs } from '../../cache/ttl-map.js';
import type { Clock } from '../../common/clock.js';

/** A fresh directory that holds this many touched names stops being trusted (bounds its memory). */
export const MAX_TOUCHED = 100_000;

interface Fresh {
  /** Names directly under the directory that the mount created, renamed or removed since its mkdir. */
  touched: Set<string>;
}

export class FreshDirs {
  readonly #map: TtlMap<Fresh>;

  constructor(o: { ttlMs: TtlMs; maxEntries: number; clock: Clock }) {
    this.#map = new TtlMap<Fresh>(o);
  }

  /** `key` (no trailing slash) was just made by mkdir here and is empty. */
  created(bucket: string, key: string): void {
    this.#map.set(entryKey(bucket, key), { touched: new Set() });
  }

  /** The mount is about to create, rename or remove `key`: if its parent is fresh, remember the name. */
  touch(bucket: string, key: string): void {
    const slash = key.lastIndexOf('/');
    if (slash < 0) return;
    const parent = entryKey(bucket, key.slice(0, slash));
    const fresh = this.#map.peek(parent);
    if (!fresh) return;
    fresh.touched.add(key.slice(slash + 1));
    if (fresh.touched.size > MAX_TOUCHED) this.#map.delete(parent);
  }

  /** True when `key` is in a fresh directory and the mount never touched it: it does not exist. */
  knownAbsent(bucket: string, key: string): boolean {
    const slash = key.lastIndexOf('/');
    if (slash < 0) return false;
    const fresh = this.#map.get(entryKey(bucket, key.slice(0, slash)));
    return fresh !== undefined && !fresh.touched.has(key.slice(slash + 1));
  }

  /** `key` was removed or renamed away: it and every directory under it are no longer known. */
  forgetTree(bucket: string, key: string): void {
    this.#map.delete(entryKey(bucket, key));
    this.#map.deletePrefix(entryKey(bucket, `${key}/`));
  }
}
