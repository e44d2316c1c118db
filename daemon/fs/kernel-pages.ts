// Which generation of each object the kernel's page cache may hold for its path, so an open can let the
// kernel keep the pages of earlier opens (FOPEN_KEEP_CACHE) when the object is still that generation: a
// second `cat`, or fio's random reads after a `dd`, are then served by the kernel without reaching the
// daemon. Every change of an object's bytes in GCS makes a new generation, so a generation match means the
// pages are the object's bytes. The one way the kernel's pages can differ from the generation they were
// read from is a write through this mount (the kernel keeps what was written, and the upload may fail and
// leave the object as it was), so opening for writing, creating or truncating forgets the path.
// Bounded: the oldest paths are forgotten first, and a forgotten path costs only a re-read.

import type { Generation } from '../../storage/types.js';

export const KERNEL_PAGES_LIMIT = 100_000;

interface Seen {
  /** The generation the kernel's pages may hold; undefined: none (they were dropped for a write). */
  generation: Generation | undefined;
  /** How many times the pages of the path were dropped (an open that did not keep them). */
  drops: number;
}

export class KernelPages {
  readonly #seen = new Map<string, Seen>();
  readonly #limit: number;

  constructor(limit = KERNEL_PAGES_LIMIT) {
    this.#limit = limit;
  }

  /** A read open of `generation` with no local changes pending: whether the kernel may keep the pages
   *  it has (the last such open of the path was of the same generation, and no write open since).
   *  Remembers this one. */
  open(bucket: string, key: string, generation: Generation): boolean {
    const id = `${bucket}/${key}`;
    const seen = this.#seen.get(id);
    const keep = seen?.generation === generation;
    this.#set(id, { generation, drops: (seen?.drops ?? 0) + (keep ? 0 : 1) });
    return keep;
  }

  /** The kernel's pages of the path may hold bytes of no generation (a write through this mount); the
   *  open that says so drops them. */
  forget(bucket: string, key: string): void {
    const id = `${bucket}/${key}`;
    this.#set(id, { generation: undefined, drops: (this.#seen.get(id)?.drops ?? 0) + 1 });
  }

  /** A count that changes whenever the kernel drops the path's pages (undefined for a path not remembered:
   *  never opened, or pushed out by the bound): a descriptor opened on kept pages compares it to tell
   *  whether those pages can still be served. */
  drops(bucket: string, key: string): number | undefined {
    return this.#seen.get(`${bucket}/${key}`)?.drops;
  }

  /** Paths remembered (tests). */
  get size(): number {
    return this.#seen.size;
  }

  #set(id: string, seen: Seen): void {
    this.#seen.delete(id);
    this.#seen.set(id, seen);
    if (this.#seen.size > this.#limit) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
  }
}
