// The filesystem core: one async method per POSIX operation, over a StorageBackend, with no kernel in
// sight (tests drive it directly). This is the one facade the FUSE adapter calls; the operations live by
// concern in file-io.ts (descriptors), directory-ops.ts, name-ops.ts (unlink, rename, symlinks) and
// metadata-ops.ts (POSIX attributes, xattrs), over the shared helpers of context.ts. Paths map to nodes
// in namespace.ts, and everything about pending writes stays in the write path (write/writer.ts).
// Behaviour that differs from POSIX is in docs/SEMANTICS.md.

import type { TypeCache } from '../../cache/type-cache.js';
import type { Logger } from '../../common/logger.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { Reader } from '../read/reader.js';
import { replayJournal, type ReplayResult } from '../write/replay.js';
import { Writer, type PendingUpload } from '../write/writer.js';
import { FsContext } from './context.js';
import { DirectoryOps, type DirEntry } from './directory-ops.js';
import { FileIo } from './file-io.js';
import { HandleTable } from './handles.js';
import { keepParent } from './keep-parent.js';
import { MetadataOps } from './metadata-ops.js';
import { NameOps } from './name-ops.js';
import { Namespace } from './namespace.js';
import { nodeAttr, type Attr, type Defaults } from './nodes.js';
import type { Layout } from './paths.js';
import { Renamer } from './rename.js';
import { Xattrs } from './xattrs.js';

export type { DirEntry } from './directory-ops.js';

export interface FilesystemOptions {
  backend: StorageBackend;
  layout: Layout;
  defaults: Defaults;
  implicitDirs: boolean;
  readOnly: boolean;
  /** Where staging files live, and where the bytes of failed uploads are kept. */
  stagingDir: string;
  keepDir: string;
  reader: Reader;
  renameDirLimit: number;
  /** "This name is a file, not a directory" answers (none: every lookup probes). */
  typeCache?: TypeCache;
  project?: string;
  logger: Logger;
  /** The clock of local modification times (tests pass a manual one). */
  now?: () => Date;
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
  readonly #o: FilesystemOptions;
  readonly #c: FsContext;
  readonly #writer: Writer;
  readonly #handles: HandleTable;
  readonly #files: FileIo;
  readonly #dirs: DirectoryOps;
  readonly #names: NameOps;
  readonly #meta: MetadataOps;
  readonly #now: () => Date;

  constructor(options: FilesystemOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    const backend = options.backend;
    const ns = new Namespace(backend, options.layout, options.implicitDirs, options.typeCache);
    const handles = new HandleTable();
    const xattrs = new Xattrs(backend, (b, k) => backend.statObject(b, k));
    const writer = new Writer({
      backend,
      stagingDir: options.stagingDir,
      keepDir: options.keepDir,
      logger: options.logger,
      now: this.#now,
      uploaded: (b, k) => {
        ns.rememberFile(b, k);
      },
    });
    const keep = (b: string, k: string): Promise<void> =>
      keepParent({ backend, writer, onlyDir: options.layout.onlyDir }, b, k);
    const renamer = new Renamer({
      backend,
      ns,
      writer,
      handles,
      renameDirLimit: options.renameDirLimit,
      keepParent: keep,
    });
    this.#writer = writer;
    this.#handles = handles;
    this.#c = new FsContext({
      backend,
      ns,
      writer,
      handles,
      layout: options.layout,
      defaults: options.defaults,
      readOnly: options.readOnly,
      project: options.project,
      now: this.#now,
    });
    this.#files = new FileIo(this.#c, options.reader);
    this.#dirs = new DirectoryOps(this.#c);
    this.#names = new NameOps(this.#c, renamer, keep);
    this.#meta = new MetadataOps(this.#c, xattrs);
  }

  // ---- attributes ----

  async getattr(path: string): Promise<Attr> {
    return nodeAttr(this.#c.defaults, await this.#c.node(path));
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

  openFiles(): number {
    return this.#handles.size;
  }

  /** At start, before the mount answers: settles what a previous run left staged (write/replay.ts). */
  recover(): Promise<ReplayResult> {
    return replayJournal({
      backend: this.#o.backend,
      stagingDir: this.#o.stagingDir,
      keepDir: this.#o.keepDir,
      logger: this.#o.logger,
      now: this.#now,
    });
  }

  /** Uploads every pending change (clean stop); returns what could not be uploaded. */
  drain(): Promise<{ uploaded: number; failed: string[] }> {
    return this.#writer.drain();
  }
}
