// After a directory listing, fetches what the kernel will ask next for each entry, concurrently and in
// the background, so `ls -l` and `find` do no serial request per entry: the lstat of each name then
// answers from the stat, negative and listing caches (or joins the fetch in flight: cached-backend.ts
// coalesces stats). A listing alone cannot answer a stat: it has size, generation and update time, but
// not the custom metadata where mode, owner, mtime and a symlink's target live (docs/SEMANTICS.md).
// What it fetches per entry is exactly what Namespace.lookupEntry asks, through the same cached backend:
//   file `k`: HEAD `k` (the lookup of a name the listing showed as a file needs nothing else);
//   directory `k/`: HEAD of the marker `k/` (an implicit directory has none: one request spent for
//   nothing; a directory made by mkdir has one). The listing also tells the type cache `k` is a
//   directory, so the lookup needs neither a HEAD of `k` nor a LIST.
// A listing of one page keeps its files' fetches until the first lookup of one of them (deferFiles,
// looked): `ls -l` then stats them all, a few hundred microseconds later than at once (no next page was
// there to overlap with), while `find` and `du`-less walks, which look up directories only, cost no HEAD
// per file. A longer listing fetches each page as it arrives, overlapping the next pages.
// Bounded: at most `concurrency` requests in flight for the whole mount (a FIFO of jobs), at most
// `maxEntries` jobs queued (a listing past that is not prefetched beyond it), at most DEFERRED_DIRS
// directories' deferred files (the oldest forgotten: their lookups fetch one by one). Failures are
// ignored: the kernel's own lookup asks again and reports the error. Fire and forget; `idle()` exists
// for tests.

import type { StorageBackend } from '../../storage/backend.js';

export interface AttrPrefetchOptions {
  /** The cached backend the namespace looks names up through. */
  backend: StorageBackend;
  /** Requests in flight at most (32, as the issue asks; s3fs's multireq_max is 20). */
  concurrency?: number;
  /** Jobs queued at most; 0 disables prefetch. Normally the stat cache's entry bound. */
  maxQueued: number;
  /** True when the caches already answer a stat of this name (cached or known absent): no job at all,
   *  so a warm listing of 10,000 names queues nothing (none: every name is queued). */
  known?: (bucket: string, key: string) => boolean;
}

type Job = () => Promise<unknown>;

export const DEFAULT_PREFETCH_CONCURRENCY = 32;

/** Directories whose files wait for a first lookup, at most. */
export const DEFERRED_DIRS = 4096;

export class AttrPrefetch {
  readonly #backend: StorageBackend;
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #known: (bucket: string, key: string) => boolean;
  readonly #queue: Job[] = [];
  #running = 0;
  #idle: (() => void)[] = [];
  /** Per directory (bucket and prefix), the files of its one-page listing not fetched yet. */
  readonly #deferred = new Map<string, ReadonlySet<string>>();

  constructor(o: AttrPrefetchOptions) {
    this.#backend = o.backend;
    this.#concurrency = Math.max(1, o.concurrency ?? DEFAULT_PREFETCH_CONCURRENCY);
    this.#maxQueued = o.maxQueued;
    this.#known = o.known ?? (() => false);
  }

  /** Files `keys` were listed in `bucket`: fetch their stats. */
  files(bucket: string, keys: readonly string[]): void {
    for (const key of keys)
      if (!this.#known(bucket, key)) this.#add(() => this.#backend.statObject(bucket, key));
  }

  /** The one-page listing of `prefix` in `bucket` showed files `keys`: fetch them at the first lookup of
   *  one of them (looked). A new listing of the directory replaces what waited. */
  deferFiles(bucket: string, prefix: string, keys: readonly string[]): void {
    const id = `${bucket}/${prefix}`;
    this.#deferred.delete(id);
    if (keys.length === 0 || this.#maxQueued === 0) return;
    this.#deferred.set(id, new Set(keys));
    if (this.#deferred.size > DEFERRED_DIRS) {
      const oldest = this.#deferred.keys().next();
      if (!oldest.done) this.#deferred.delete(oldest.value);
    }
  }

  /** The kernel looks up `key`: when it is a deferred file, every deferred file of its directory is
   *  fetched now (the lookup itself joins its own fetch: cached-backend.ts coalesces stats). */
  looked(bucket: string, key: string): void {
    if (this.#deferred.size === 0) return;
    const id = `${bucket}/${key.slice(0, key.lastIndexOf('/') + 1)}`;
    const files = this.#deferred.get(id);
    if (!files?.has(key)) return;
    this.#deferred.delete(id);
    this.files(bucket, [...files]);
  }

  /** Directories `keys` (without the trailing slash) were listed in `bucket`: HEAD each marker `key/`
   *  (its mode, owner and mtime; an implicit directory's 404 goes into the negative cache). The readdir
   *  also told the type cache they are directories, so their lookups need nothing else. */
  dirs(bucket: string, keys: readonly string[]): void {
    for (const key of keys) {
      const marker = `${key}/`;
      if (!this.#known(bucket, marker)) this.#add(() => this.#backend.statObject(bucket, marker));
    }
  }

  /** Resolves once nothing is queued or in flight (tests). */
  idle(): Promise<void> {
    if (this.#running === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #add(job: Job): void {
    if (this.#queue.length >= this.#maxQueued) return;
    this.#queue.push(job);
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#concurrency) {
      const job = this.#queue.shift();
      if (!job) break;
      this.#running++;
      void job()
        .catch(() => undefined)
        .finally(() => {
          this.#running--;
          this.#pump();
        });
    }
    if (this.#running === 0 && this.#queue.length === 0) {
      const waiting = this.#idle;
      this.#idle = [];
      for (const resolve of waiting) resolve();
    }
  }
}
