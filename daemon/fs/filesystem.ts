// The filesystem core: one async method per POSIX operation, over a StorageBackend, with no kernel in
// sight (tests drive it directly). This is the one facade the FUSE adapter calls; the operations live by
// concern in file-io.ts (descriptors), directory-ops.ts, name-ops.ts (unlink, rename, symlinks) and
// metadata-ops.ts (POSIX attributes, xattrs), over the shared helpers of context.ts. Paths map to nodes
// in namespace.ts, and everything about pending writes stays in the write path (write/writer.ts).
// Behaviour that differs from POSIX is in docs/SEMANTICS.md.

import type { Logger } from '../../common/logger.js';
import type { Reader } from '../read/reader.js';
import { replayJournal, type ReplayResult } from '../write/replay.js';
import type { PendingUpload, Writer, WriterStats } from '../write/writer.js';
import { FsContext, type FsContextParts } from './context.js';
import type { AttrPrefetch } from './attr-prefetch.js';
import { DirectoryOps, type DirEntry } from './directory-ops.js';
import { FileIo } from './file-io.js';
import { MetadataOps } from './metadata-ops.js';
import { NameOps } from './name-ops.js';
import { nodeAttr, type Attr } from './nodes.js';
import type { Renamer } from './rename.js';
import type { Xattrs } from './xattrs.js';

export type { DirEntry } from './directory-ops.js';

/** The collaborators, built by daemon/assemble.ts (the composition root); the filesystem builds none. */
export interface FilesystemParts extends FsContextParts {
  xattrs: Xattrs;
  renamer: Renamer;
  reader: Reader;
  /** Fetches listed entries' attributes in the background after readdir (none: on lookup only). */
  attrPrefetch?: AttrPrefetch | undefined;
  /** Keeps an emptied implicit parent directory (keep-parent.ts), shared with the renamer. */
  keepParent(bucket: string, key: string): Promise<void>;
  /** Where a previous run's staged files and kept uploads are (recover()). */
  recovery: { stagingDir: string; spareDir?: string; keepDir: string; logger: Logger };
}

export interface StatFs {
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  namemax: number;
}

export class Filesystem {
  readonly #c: FsContext;
  readonly #writer: Writer;
  readonly #recovery: FilesystemParts['recovery'];
  readonly #files: FileIo;
  readonly #dirs: DirectoryOps;
  readonly #names: NameOps;
  readonly #meta: MetadataOps;
  readonly #prefetch: AttrPrefetch | undefined;

  constructor(parts: FilesystemParts) {
    this.#c = new FsContext(parts);
    this.#writer = parts.writer;
    this.#recovery = parts.recovery;
    this.#files = new FileIo(this.#c, parts.reader);
    this.#prefetch = parts.attrPrefetch;
    this.#dirs = new DirectoryOps(this.#c, parts.attrPrefetch);
    this.#names = new NameOps(this.#c, parts.renamer, (b, k) => parts.keepParent(b, k));
    this.#meta = new MetadataOps(this.#c, parts.xattrs);
  }

  // ---- attributes ----

  async getattr(path: string): Promise<Attr> {
    const loc = this.#c.loc(path);
    if (loc.kind === 'entry') this.#prefetch?.looked(loc.bucket, loc.key);
    return nodeAttr(this.#c.defaults, await this.#c.nodeAt(loc));
  }

  statfs(): Promise<StatFs> {
    // Buckets have no capacity; report a large, constant size so tools that check free space proceed.
    // fuse-native packs these into 32-bit fields: 2 ** 32 would wrap to 0 (df -i showed 0 inodes).
    const blocks = 2 ** 40 / 4096;
    const inodes = 2 ** 32 - 1;
    return Promise.resolve({
      bsize: 4096,
      frsize: 4096,
      blocks,
      bfree: blocks,
      bavail: blocks,
      files: inodes,
      ffree: inodes,
      favail: inodes,
      namemax: 255,
    });
  }

  async access(path: string): Promise<void> {
    await this.#c.node(path);
  }

  // ---- directories (directory-ops.ts) ----

  readdir(path: string): Promise<DirEntry[]> {
    return this.#dirs.readdir(path);
  }

  mkdir(path: string, mode: number): Promise<void> {
    return this.#dirs.mkdir(path, mode);
  }

  rmdir(path: string): Promise<void> {
    return this.#dirs.rmdir(path);
  }

  // ---- descriptors (file-io.ts) ----

  create(path: string, mode: number): Promise<number> {
    return this.#files.create(path, mode);
  }

  open(path: string, flags: number): Promise<number> {
    return this.#files.open(path, flags);
  }

  /** Whether the open that made `fd` lets the kernel keep the file's page cache (same generation). */
  keepsPages(fd: number): boolean {
    return this.#files.keepsPages(fd);
  }

  read(fd: number, into: Buffer, length: number, offset: number): Promise<number> {
    return this.#files.read(fd, into, length, offset);
  }

  write(fd: number, data: Buffer, length: number, offset: number): Promise<number> {
    return this.#files.write(fd, data, length, offset);
  }

  ftruncate(fd: number, size: number): Promise<void> {
    return this.#files.ftruncate(fd, size);
  }

  truncate(path: string, size: number): Promise<void> {
    return this.#files.truncate(path, size);
  }

  flush(fd: number): Promise<void> {
    return this.#files.flush(fd);
  }

  fsync(fd: number): Promise<void> {
    return this.#files.fsync(fd);
  }

  release(fd: number): Promise<void> {
    return this.#files.release(fd);
  }

  // ---- names (name-ops.ts) ----

  unlink(path: string): Promise<void> {
    return this.#names.unlink(path);
  }

  rename(from: string, to: string): Promise<void> {
    return this.#names.rename(from, to);
  }

  link(): Promise<never> {
    return this.#names.link();
  }

  symlink(target: string, path: string): Promise<void> {
    return this.#names.symlink(target, path);
  }

  readlink(path: string): Promise<string> {
    return this.#names.readlink(path);
  }

  // ---- metadata (metadata-ops.ts) ----

  chmod(path: string, mode: number): Promise<void> {
    return this.#meta.chmod(path, mode);
  }

  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.#meta.chown(path, uid, gid);
  }

  utimens(path: string, atime: number | undefined, mtime: number | undefined): Promise<void> {
    return this.#meta.utimens(path, atime, mtime);
  }

  listxattr(path: string): Promise<string[]> {
    return this.#meta.listxattr(path);
  }

  getxattr(path: string, name: string): Promise<Buffer> {
    return this.#meta.getxattr(path, name);
  }

  setxattr(path: string, name: string, value: Buffer): Promise<void> {
    return this.#meta.setxattr(path, name, value);
  }

  removexattr(path: string, name: string): Promise<void> {
    return this.#meta.removexattr(path, name);
  }

  // ---- the stop ----

  /** A stop began: new creates, opens for writing and truncates fail with EROFS from now on. */
  stopWrites(): void {
    this.#writer.stopAccepting();
  }

  /** Changes not uploaded yet (what a stop must drain). */
  pendingUploads(): PendingUpload[] {
    return this.#writer.pending();
  }

  /** The upload queue's figures (metrics and status). */
  uploadStats(): WriterStats {
    return this.#writer.stats();
  }

  openFiles(): number {
    return this.#c.handles.size;
  }

  /** Files open for writing with changes not yet closed (what a plain unmount refuses over). */
  openWriters(): PendingUpload[] {
    return this.#writer.openWriters();
  }

  /** A stop: keeps the bytes of files still open for writing for recovery, never uploads them. */
  keepOpenWriters(): Promise<string[]> {
    return this.#writer.keepOpenWriters();
  }

  /** At start, before the mount answers: settles what a previous run left staged (write/replay.ts);
   *  closed files are pending again and their uploads queued. */
  recover(): Promise<ReplayResult> {
    return replayJournal({
      adopt: (file, record) => this.#writer.adopt(file, record),
      cancel: (record) => this.#writer.cancelSession(record),
      ...this.#recovery,
      now: this.#c.now,
    });
  }

  /** Uploads every pending change (clean stop); returns what could not be uploaded. */
  drain(): Promise<{ uploaded: number; failed: string[] }> {
    return this.#writer.drain();
  }
}
