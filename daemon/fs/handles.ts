// Open files. A handle remembers the generation it opened (the precondition its upload will carry: '0'
// for a new file), its staging file once it writes, and its read-ahead state. Numbers are small integers
// reused after release, as the kernel expects.

import type { Generation, ObjectMeta } from '../../storage/types.js';
import type { ReadState } from '../read/reader.js';
import type { StagingFile } from '../write/staging-file.js';

export interface Handle {
  fd: number;
  bucket: string;
  key: string;
  /** Generation the handle's view is based on; '0' when the object did not exist at open. */
  generation: Generation;
  /** Metadata at open (content type, custom metadata and POSIX attributes survive a rewrite). */
  meta?: ObjectMeta;
  size: number;
  writable: boolean;
  staging?: StagingFile;
  dirty: boolean;
  read: ReadState;
  /** Mode for a file created by this handle. */
  createMode?: number;
}

export class HandleTable {
  readonly #open = new Map<number, Handle>();
  #next = 1;

  add(h: Omit<Handle, 'fd'>): Handle {
    let fd = this.#next;
    while (this.#open.has(fd)) fd++;
    this.#next = fd + 1 > 1_000_000 ? 1 : fd + 1;
    const handle = { ...h, fd };
    this.#open.set(fd, handle);
    return handle;
  }

  get(fd: number): Handle | undefined {
    return this.#open.get(fd);
  }

  delete(fd: number): void {
    this.#open.delete(fd);
  }

  /** Open handles on one object (getattr of a file being written reports its local size). */
  forKey(bucket: string, key: string): Handle[] {
    return [...this.#open.values()].filter((h) => h.bucket === bucket && h.key === key);
  }

  all(): Handle[] {
    return [...this.#open.values()];
  }
}
