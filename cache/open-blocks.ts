// Open block files of the disk cache, for ranged reads: a small LRU of file handles, so that a 4 KiB read
// of a cached block is one pread instead of open + read + close (three thread-pool round trips) or a read
// of the whole 1 MiB block. A handle still in use is never closed under its reader: eviction and forget()
// close it once the last read on it has finished. Block files never change once written (and are found
// only then: disk-blocks.ts), and an unlinked file stays readable through a handle opened before, so a
// kept handle can never serve wrong bytes; forgetting a file only gives back its descriptor.

import type { FileHandle } from 'node:fs/promises';

/** Enough for the blocks a few random readers touch at once; each is one descriptor. */
export const DEFAULT_OPEN_BLOCKS = 64;

interface Open {
  handle: Promise<FileHandle>;
  users: number;
  retired: boolean;
}

export class OpenBlocks {
  readonly #max: number;
  readonly #open: (file: string) => Promise<FileHandle>;
  /** file -> its handle, least recently used first. */
  readonly #files = new Map<string, Open>();

  constructor(open: (file: string) => Promise<FileHandle>, max = DEFAULT_OPEN_BLOCKS) {
    this.#open = open;
    this.#max = Math.max(1, max);
  }

  /** Handles kept open now (tests). */
  get size(): number {
    return this.#files.size;
  }

  /** Reads `length` bytes at `position` of the file into `into` at `at`; resolves the count read. */
  async read(file: string, into: Buffer, at: number, length: number, position: number): Promise<number> {
    let o = this.#files.get(file);
    if (o) {
      this.#files.delete(file);
    } else {
      const opened: Open = { handle: this.#open(file), users: 0, retired: false };
      // A failed open is not kept: the next read tries again (the caller drops the block anyway).
      opened.handle.catch(() => {
        if (this.#files.get(file) === opened) this.forget(file);
      });
      o = opened;
    }
    this.#files.set(file, o);
    this.#trim();
    o.users++;
    try {
      const fh = await o.handle;
      return (await fh.read(into, at, length, position)).bytesRead;
    } finally {
      o.users--;
      if (o.retired && o.users === 0) close(o);
    }
  }

  /** The file is gone from the cache: close its handle (after reads on it finish). */
  forget(file: string): void {
    const o = this.#files.get(file);
    if (!o) return;
    this.#files.delete(file);
    retire(o);
  }

  /** Closes every handle (after reads on them finish). */
  clear(): void {
    for (const o of this.#files.values()) retire(o);
    this.#files.clear();
  }

  #trim(): void {
    while (this.#files.size > this.#max) {
      const [file] = this.#files.keys();
      if (file === undefined) return;
      this.forget(file);
    }
  }
}

function retire(o: Open): void {
  o.retired = true;
  if (o.users === 0) close(o);
}

function close(o: Open): void {
  o.handle.then((fh) => fh.close()).catch(() => undefined);
}
