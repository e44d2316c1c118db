// The directories a walk will list next, in the order it lists them: a walk that reads each directory's
// subdirectories in listing order (byte order of names) visits directories in the byte order of their
// full prefixes ('a/' < 'a/x/' < 'a0/': a prefix ends with '/', so no sibling's name starts with another
// whole sibling's), so the queue keeps them sorted by their cache key (ttl-map.ts: bucket, then prefix)
// and hands out the first. Bounded: past `max` entries the last ones, farthest from the walk, are
// forgotten. Stores only.

import { entryKey } from './ttl-map.js';

export interface WalkEntry {
  bucket: string;
  dir: string;
  /** When it was (last) queued. */
  at: number;
}

export class WalkQueue {
  readonly #max: number;
  /** Sorted by key, last first: the next entry is at the end. */
  readonly #entries: (WalkEntry & { key: string })[] = [];

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Queues `dir` (again: its time is renewed). */
  add(bucket: string, dir: string, at: number): void {
    const key = entryKey(bucket, dir);
    const i = this.#find(key);
    const there = this.#entries[i];
    if (there?.key === key) {
      there.at = Math.max(there.at, at);
      return;
    }
    this.#entries.splice(i, 0, { bucket, dir, at, key });
    if (this.#entries.length > this.#max) this.#entries.shift();
  }

  /** Takes the first entry in walk order. */
  next(): WalkEntry | undefined {
    return this.#entries.pop();
  }

  /** Takes `dir` out of the queue, if it is there. */
  remove(bucket: string, dir: string): WalkEntry | undefined {
    const key = entryKey(bucket, dir);
    const i = this.#find(key);
    return this.#entries[i]?.key === key ? this.#entries.splice(i, 1)[0] : undefined;
  }

  clear(): void {
    this.#entries.length = 0;
  }

  /** Index of `key`, or where it would go (entries sorted descending). */
  #find(key: string): number {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.#entries[mid]?.key ?? '';
      if (k > key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
