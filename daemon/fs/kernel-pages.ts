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

export class KernelPages {
  readonly #seen = new Map<string, Generation>();
  readonly #limit: number;

  constructor(limit = KERNEL_PAGES_LIMIT) {
    this.#limit = limit;
  }

  /** A read open of `generation` with no local changes pending: whether the kernel may keep the pages
   *  it has (the last such open of the path was of the same generation). Remembers this one. */
  open(bucket: string, key: string, generation: Generation): boolean {
    const id = `${bucket}/${key}`;
    const keep = this.#seen.get(id) === generation;
    this.#seen.delete(id);
    this.#seen.set(id, generation);
    if (this.#seen.size > this.#limit) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
    return keep;
  }

  /** The kernel's pages of the path may hold bytes of no generation (a write through this mount). */
  forget(bucket: string, key: string): void {
    this.#seen.delete(`${bucket}/${key}`);
  }

  /** Paths remembered (tests). */
  get size(): number {
    return this.#seen.size;
  }
}
