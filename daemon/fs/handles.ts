// Open files. A handle is a sum type: a read handle sees the object at the generation it opened (and
// the pending bytes of a writer of the same object, when there is one); a write handle points at its
// object's pending entry (daemon/write), shared with every other descriptor of that object. Numbers are
// small integers reused after release, as the kernel expects.

import type { Generation } from '../../storage/types.js';
import type { ReadState } from '../read/reader.js';
import type { PendingObject } from '../write/pending-object.js';

/** The remote object a read handle reads. Re-keyed when the file is renamed while open. */
export interface ReadView {
  bucket: string;
  key: string;
  generation: Generation;
  size: number;
}

interface Common {
  fd: number;
  /** The prefetcher of the remote bytes this handle reads (daemon/read), made at the first remote read
   *  and made again when the view changes (a rename, a fresh generation). */
  read?: ReadState | undefined;
  /** Whether any read was answered yet (before that, a changed object is looked up again). */
  served: boolean;
}

export interface ReadHandle extends Common {
  kind: 'read';
  view: ReadView;
  /** The pending entry of a writer of the same object, once one is seen. */
  entry?: PendingObject;
  /** Set when the kernel was told to keep its page cache of earlier opens (kernel-pages.ts): the path's
   *  drop count then. */
  pagesDrops?: number | undefined;
}

export interface WriteHandle extends Common {
  kind: 'write';
  entry: PendingObject;
}

export type Handle = ReadHandle | WriteHandle;

type NewHandle = Omit<ReadHandle, 'fd'> | Omit<WriteHandle, 'fd'>;

export class HandleTable {
  readonly #open = new Map<number, Handle>();
  #next = 1;

  add<H extends NewHandle>(h: H): H & { fd: number } {
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

  /** Read handles on one object that see it only remotely (a rename re-keys them). */
  readersOf(bucket: string, key: string): ReadHandle[] {
    const out: ReadHandle[] = [];
    for (const h of this.#open.values())
      if (h.kind === 'read' && h.view.bucket === bucket && h.view.key === key) out.push(h);
    return out;
  }

  get size(): number {
    return this.#open.size;
  }
}
