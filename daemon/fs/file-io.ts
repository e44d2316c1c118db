// Open files: create and open (a handle per descriptor, handles.ts), read (the writer's pending bytes
// first, then the remote object through the block cache, read/reader.ts), write and truncate (the
// writer's), and the uploads at flush, fsync and release. Everything about pending writes stays in the
// write path (write/writer.ts).

import { isStorageError } from '../../storage/errors.js';
import type { Reader } from '../read/reader.js';
import type { PendingObject } from '../write/pending-object.js';
import type { FsContext } from './context.js';
import { FsError, toFsError } from '../posix/errors.js';
import type { Handle, ReadHandle, ReadView } from './handles.js';
import { KernelPages } from './kernel-pages.js';
import { describe } from './paths.js';

const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_TRUNC = 0o1000;

export class FileIo {
  readonly #c: FsContext;
  readonly #reader: Reader;
  readonly #pages = new KernelPages();

  constructor(c: FsContext, reader: Reader) {
    this.#c = c;
    this.#reader = reader;
  }

  async create(path: string, mode: number): Promise<number> {
    const c = this.#c;
    c.writable();
    const loc = c.entry(path);
    // No parent lookup: the kernel sends CREATE only under a directory it has just resolved.
    c.ns.forgetPath(loc.bucket, loc.key);
    this.#pages.forget(loc.bucket, loc.key);
    const entry = await c.writer.create(loc.bucket, loc.key, mode & 0o7777);
    c.ns.rememberAncestors(loc.bucket, loc.key);
    return c.handles.add({ kind: 'write', entry, served: false }).fd;
  }

  async open(path: string, flags: number): Promise<number> {
    const c = this.#c;
    const loc = c.entry(path);
    const node = await c.node(path);
    if (node.kind !== 'file' && node.kind !== 'symlink')
      throw new FsError('is-dir', `${describe(loc)} is a directory`);
    const access = flags & O_ACCMODE;
    if (access === O_WRONLY || access === O_RDWR) {
      c.writable();
      this.#pages.forget(loc.bucket, loc.key);
      const pending = c.writer.find(loc.bucket, loc.key);
      const entry = await c.writer.open(
        loc.bucket,
        loc.key,
        pending ? undefined : node.meta,
        (flags & O_TRUNC) !== 0,
      );
      return c.handles.add({ kind: 'write', entry, served: false }).fd;
    }
    const pending = c.writer.find(loc.bucket, loc.key);
    const view: ReadView = {
      bucket: loc.bucket,
      key: loc.key,
      generation: node.meta.generation,
      size: node.meta.size,
    };
    // The kernel keeps its pages of earlier opens when they are of this generation (kernel-pages.ts).
    const keepPages = !pending && this.#pages.open(loc.bucket, loc.key, view.generation);
    const h: Omit<ReadHandle, 'fd'> = { kind: 'read', view, served: false };
    if (keepPages) h.pagesDrops = this.#pages.drops(loc.bucket, loc.key);
    if (pending) h.entry = c.writer.attach(pending);
    return c.handles.add(h).fd;
  }

  /** A descriptor opened on kept pages whose pages the kernel still has: it may have answered reads from
   *  them already, so a change found now must be ESTALE, never a switch to the new bytes mid-file. Once
   *  the pages were dropped (a write through this mount opened the file) every read comes here, and the
   *  descriptor follows the new generation as a first read would. */
  #oldPagesServed(h: ReadHandle): boolean {
    return h.pagesDrops !== undefined && this.#pages.drops(h.view.bucket, h.view.key) === h.pagesDrops;
  }

  /** Whether the kernel may keep the page cache of the file open on `fd` (the open's reply). */
  keepsPages(fd: number): boolean {
    const h = this.#c.handles.get(fd);
    return h?.kind === 'read' && h.pagesDrops !== undefined;
  }

  #handle(fd: number): Handle {
    const h = this.#c.handles.get(fd);
    if (!h) throw new FsError('bad-fd', `no open file ${fd}`);
    return h;
  }

  /** The pending entry a read handle reads through: a writer's, seen at open or since. */
  #writerOf(h: ReadHandle): PendingObject | undefined {
    if (h.entry) return h.entry;
    const pending = this.#c.writer.find(h.view.bucket, h.view.key);
    if (pending) h.entry = this.#c.writer.attach(pending);
    return h.entry;
  }

  async read(fd: number, into: Buffer, length: number, offset: number): Promise<number> {
    const h = this.#handle(fd);
    if (h.kind === 'write') return this.#readPending(h, h.entry, into, length, offset);
    const entry = this.#writerOf(h);
    if (entry) return this.#readPending(h, entry, into, length, offset);
    return this.#readRemote(h, into, length, offset);
  }

  /** A file being written here: its local bytes, and the remote base where it has none of its own. */
  async #readPending(
    h: Handle,
    entry: PendingObject,
    into: Buffer,
    length: number,
    offset: number,
  ): Promise<number> {
    const n = await this.#c.writer.read(entry, into, length, offset);
    if (n !== undefined) return n;
    const view: ReadView = { bucket: entry.bucket, key: entry.key, generation: entry.base, size: entry.size };
    try {
      const read = await this.#remoteRead(view, into, length, offset, h);
      h.served = true;
      return read;
    } catch (err) {
      throw toStale(err, view);
    }
  }

  async #readRemote(h: ReadHandle, into: Buffer, length: number, offset: number): Promise<number> {
    const view = h.view;
    try {
      const n = await this.#remoteRead(view, into, length, offset, h);
      h.served = true;
      return n;
    } catch (err) {
      if (!isChanged(err) || h.served || this.#oldPagesServed(h)) throw toStale(err, view);
      // Opened from a stale stat (the object changed elsewhere within the stat TTL) and nothing was read
      // yet: read the generation that is there now instead of failing; a deleted object is ENOENT.
      const meta = await this.#c.backend.statObject(view.bucket, view.key).catch((e: unknown) => {
        throw isStorageError(e, 'not-found') ? toFsError(e) : e;
      });
      h.view = { ...view, generation: meta.generation, size: meta.size };
      const n = await this.#remoteRead(h.view, into, length, offset, h);
      h.served = true;
      return n;
    }
  }

  #remoteRead(view: ReadView, into: Buffer, length: number, offset: number, h: Handle): Promise<number> {
    const t = h.read?.target;
    const same =
      t?.bucket === view.bucket &&
      t.key === view.key &&
      t.generation === view.generation &&
      t.size === view.size;
    if (!h.read || !same) {
      h.read?.close();
      h.read = this.#reader.open(view);
    }
    return this.#reader.read(h.read, into, length, offset);
  }

  #writeHandle(fd: number): PendingObject {
    const h = this.#handle(fd);
    if (h.kind !== 'write') throw new FsError('bad-fd', 'file not open for writing');
    return h.entry;
  }

  async write(fd: number, data: Buffer, length: number, offset: number): Promise<number> {
    return this.#c.writer.write(this.#writeHandle(fd), data, length, offset);
  }

  async ftruncate(fd: number, size: number): Promise<void> {
    await this.#c.writer.truncate(this.#writeHandle(fd), size);
  }

  async truncate(path: string, size: number): Promise<void> {
    const c = this.#c;
    c.writable();
    const loc = c.entry(path);
    const pending = c.writer.find(loc.bucket, loc.key);
    // A file open for writing here: truncated in place, uploaded at its writer's close.
    if (pending) return c.writer.truncate(pending, size);
    const fd = await this.open(path, O_RDWR);
    try {
      await this.ftruncate(fd, size);
      await this.fsync(fd);
    } finally {
      await this.release(fd);
    }
  }

  /** Uploads what the descriptor's object has pending; a failure reaches close()/fsync() and the bytes stay. */
  async flush(fd: number): Promise<void> {
    const h = this.#handle(fd);
    if (h.kind === 'write') await this.#c.writer.flush(h.entry, 'close');
  }

  async fsync(fd: number): Promise<void> {
    const h = this.#handle(fd);
    if (h.kind === 'write') await this.#c.writer.flush(h.entry, 'sync');
  }

  async release(fd: number): Promise<void> {
    const h = this.#c.handles.get(fd);
    if (!h) return;
    this.#c.handles.delete(fd);
    h.read?.close(); // aborts a prefetch in flight
    if (h.entry) await this.#c.writer.release(h.entry, h.kind === 'write');
  }
}

/** The object is no longer the generation a read asked for (replaced, or deleted). */
function isChanged(err: unknown): boolean {
  return isStorageError(err, 'not-found') || isStorageError(err, 'precondition-failed');
}

function toStale(err: unknown, view: ReadView): unknown {
  if (!isChanged(err)) return err;
  return new FsError('stale', `gs://${view.bucket}/${view.key} changed since it was opened`, { cause: err });
}
