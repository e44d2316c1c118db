// Listings fetched ahead of a walk (`find`, `du`, `ls -R`): a walk reads a directory, then each of its
// subdirectories, one at a time, so with no listing cache (`--list-cache-ttl 0`, the default) it waits for
// one LIST per directory in turn. When a directory is listed right after its parent's listing showed it,
// a walk is under way: the parent's later subdirectories and the directory's own are fetched ahead,
// concurrently, and each listing fetched ahead queues its own subdirectories, so the fetches run a bounded
// distance ahead of the walk in its own order (walk-queue.ts: the byte order of their prefixes, which is
// the order a depth-first walk in listing order visits them); directories behind the walk are skipped.
// A listing fetched ahead answers one readdir (it is taken, not kept) and only within `holdMs` of its
// fetch; a mutation through the mount drops every held listing that could show the name (drop()). At
// most `window` listings are held or in flight at once, so a walk that stops (a person's `ls` of two
// levels) has cost at most that many LISTs. A lookup of a directory's marker waits for that directory's
// listing (peek: held, or fetched now if it is still queued), which shows whether there is one, instead
// of a HEAD. Stores and schedules only: the owner (cached-backend.ts) fetches, records what a listing
// proves, and tells it of every readdir's listing (listed()), from which it detects a walk.

import type { Clock } from '../common/clock.js';
import type { ListPage } from '../storage/types.js';
import { ancestorPrefixes } from './listing-cache.js';
import { TtlMap, bucketKeyPrefix, entryKey } from './ttl-map.js';
import { WalkQueue } from './walk-queue.js';

export interface ListingAheadOptions {
  /** Fetches the first page of a directory listing (the owner records what it proves). */
  fetch: (bucket: string, dir: string) => Promise<ListPage>;
  /** True when a readdir of `dir` would not list (the listing cache holds it): not fetched ahead. */
  known?: (bucket: string, dir: string) => boolean;
  clock: Clock;
  /** Listings held or in flight at most; 0 turns fetching ahead off. */
  window: number;
  /** Requests in flight at most. */
  concurrency?: number;
  /** How long a listing fetched ahead may answer a readdir, and how recent a parent's listing must be
   *  for its child's listing to count as a walk. */
  holdMs?: number;
}

const DEFAULT_AHEAD_CONCURRENCY = 8;
const DEFAULT_AHEAD_HOLD_MS = 2000;
/** Directories waiting to be fetched at most (the last in the walk's order are forgotten). */
const MAX_PENDING = 4096;
/** Recent listings remembered for walk detection at most. */
const MAX_RECENT = 4096;

interface Held {
  page: Promise<ListPage>;
  /** When the fetch started (a held listing is as old as its request). */
  at: number;
}

interface Recent {
  at: number;
  prefixes: readonly string[];
}

export class ListingAhead {
  readonly #fetch: ListingAheadOptions['fetch'];
  readonly #known: (bucket: string, dir: string) => boolean;
  readonly #clock: Clock;
  readonly #window: number;
  readonly #concurrency: number;
  readonly #holdMs: number;
  readonly #held = new Map<string, Held>();
  /** Directories listed within `holdMs` (by a readdir or ahead), with their subdirectories. */
  readonly #recent: TtlMap<Recent>;
  /** Directories to fetch, in the walk's order. */
  readonly #pending = new WalkQueue(MAX_PENDING);
  /** Per bucket, the directory a readdir listed last: the queue's directories before it are behind the walk. */
  readonly #position = new Map<string, string>();
  #running = 0;

  constructor(o: ListingAheadOptions) {
    this.#fetch = o.fetch;
    this.#known = o.known ?? (() => false);
    this.#clock = o.clock;
    this.#window = Math.max(0, o.window);
    this.#concurrency = Math.max(1, o.concurrency ?? DEFAULT_AHEAD_CONCURRENCY);
    this.#holdMs = o.holdMs ?? DEFAULT_AHEAD_HOLD_MS;
    this.#recent = new TtlMap({ ttlMs: this.#holdMs, maxEntries: MAX_RECENT, clock: o.clock });
  }

  get enabled(): boolean {
    return this.#window > 0;
  }

  /** The held listing of `dir` (fetched or in flight), taken: it answers this readdir only. Undefined
   *  when none is held, it is too old, or its fetch failed (the readdir lists for itself and reports its
   *  own error). */
  async take(bucket: string, dir: string): Promise<ListPage | undefined> {
    const key = entryKey(bucket, dir);
    const held = this.#held.get(key);
    if (!held) return undefined;
    this.#held.delete(key);
    this.#pump();
    if (this.#clock.now() - held.at > this.#holdMs) return undefined;
    return held.page.catch(() => undefined);
  }

  /** The held listing of `dir`, left held for its readdir: a lookup of the directory's marker waits for
   *  it rather than asking a HEAD. A directory still queued is fetched now (its listing answers both).
   *  Undefined as for take(). */
  async peek(bucket: string, dir: string): Promise<ListPage | undefined> {
    const key = entryKey(bucket, dir);
    const now = this.#clock.now();
    let held = this.#held.get(key);
    if (!held) {
      if (!this.#pending.remove(bucket, dir)) return undefined;
      held = this.#start(key, bucket, dir, now);
    }
    if (now - held.at > this.#holdMs) return undefined;
    return held.page.catch(() => undefined);
  }

  /** A readdir lists `dir` for itself: it is not fetched ahead meanwhile. */
  listing(bucket: string, dir: string): void {
    if (this.enabled) this.#remember(bucket, dir, [], this.#clock.now());
  }

  /** A readdir listed `dir` (itself, or through take) and saw `prefixes`. A directory whose parent was
   *  listed lately and showed it is a step of a walk: its later siblings and its own subdirectories are
   *  fetched ahead. `fromAhead`: the listing was fetched ahead, which queued its subdirectories already. */
  listed(bucket: string, dir: string, prefixes: readonly string[], fromAhead = false): void {
    if (!this.enabled) return;
    const now = this.#clock.now();
    this.#remember(bucket, dir, prefixes, now);
    this.#position.set(bucket, dir);
    if (fromAhead || dir === '') return;
    const parent = this.#recent.peek(entryKey(bucket, ancestorPrefixes(dir).at(-1) ?? ''));
    if (!parent) return;
    const at = parent.prefixes.indexOf(dir);
    if (at === -1) return;
    for (const d of parent.prefixes.slice(at + 1)) this.#pending.add(bucket, d, now);
    for (const d of prefixes) this.#pending.add(bucket, d, now);
    this.#pump();
  }

  /** Forgets held listings that could show `name` (its ancestors, and its own if it is a directory). */
  drop(bucket: string, dirs: readonly string[]): void {
    for (const dir of dirs) {
      this.#held.delete(entryKey(bucket, dir));
      this.#recent.delete(entryKey(bucket, dir));
    }
  }

  dropBucket(bucket: string): void {
    const prefix = bucketKeyPrefix(bucket);
    for (const key of this.#held.keys()) if (key.startsWith(prefix)) this.#held.delete(key);
    this.#recent.deletePrefix(prefix);
  }

  clear(): void {
    this.#held.clear();
    this.#recent.clear();
    this.#pending.clear();
    this.#position.clear();
  }

  #remember(bucket: string, dir: string, prefixes: readonly string[], at: number): void {
    this.#recent.set(entryKey(bucket, dir), { at, prefixes });
  }

  #pump(): void {
    const now = this.#clock.now();
    if (this.#held.size >= this.#window) {
      // Listings the walk never took free their place once they are too old to answer it.
      for (const [key, held] of this.#held) if (now - held.at > this.#holdMs) this.#held.delete(key);
    }
    while (this.#running < this.#concurrency && this.#held.size < this.#window) {
      const next = this.#pending.next();
      if (!next) return;
      const key = entryKey(next.bucket, next.dir);
      const recent = this.#recent.peek(key);
      // Listed since it was queued (the walk got there first), or behind the walk: nothing to fetch.
      if (this.#held.has(key) || (recent && recent.at >= next.at)) continue;
      if (next.dir <= (this.#position.get(next.bucket) ?? '')) continue;
      if (this.#known(next.bucket, next.dir)) continue;
      this.#start(key, next.bucket, next.dir, now);
    }
  }

  #start(key: string, bucket: string, dir: string, now: number): Held {
    this.#running++;
    const page = this.#fetch(bucket, dir);
    const held: Held = { page, at: now };
    this.#held.set(key, held);
    page.then(
      (p) => {
        this.#running--;
        // Dropped by a mutation, or already taken and answered: its subdirectories are still the walk's.
        if (this.#held.get(key) === held || !this.#held.has(key)) {
          const at = this.#clock.now();
          this.#remember(bucket, dir, p.prefixes, at);
          for (const d of p.prefixes) this.#pending.add(bucket, d, at);
        }
        this.#pump();
      },
      () => {
        this.#running--;
        if (this.#held.get(key) === held) this.#held.delete(key);
        this.#pump();
      },
    );
    return held;
  }
}
