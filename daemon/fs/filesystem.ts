// The filesystem core: one async method per POSIX operation, over a StorageBackend, with no kernel in
// sight (tests drive it directly). It maps paths to nodes (namespace.ts), keeps open files (handles.ts),
// reads through the block cache (read/reader.ts) and leaves everything about pending writes to the write
// path (write/writer.ts): a path asks the writer first, so a file being written is seen as written by
// every descriptor, stat and listing. Behaviour that differs from POSIX is in docs/SEMANTICS.md.

import type { TypeCache } from '../../cache/type-cache.js';
import type { AttrPrefetch } from './attr-prefetch.js';
import type { Logger } from '../../common/logger.js';
import { isStorageError } from '../../storage/errors.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { Reader } from '../read/reader.js';
import type { PendingObject } from '../write/pending-object.js';
import { replayJournal, type ReplayResult } from '../write/replay.js';
import { Writer, type PendingUpload } from '../write/writer.js';
import { FsError, toFsError } from './errors.js';
import { HandleTable, type Handle, type ReadHandle, type ReadView } from './handles.js';
import { writableOf } from '../../storage/writable-metadata.js';
import { Namespace } from './namespace.js';
import { dirAttr, fileAttr, nodeAttr, type Attr, type Defaults, type Node } from './nodes.js';
import { describe, isShowableName, locate, markerKey, type Layout, type Location } from './paths.js';
import { pendingNode } from './pending-node.js';
import { readPosix, SYMLINK_KEY, writePosix, type PosixOverrides } from './posix-attrs.js';
import { Renamer } from './rename.js';
import { strip as stripXattrName, Xattrs } from './xattrs.js';

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
  /** Fetches listed entries' attributes in the background after readdir (none: on lookup only). */
  attrPrefetch?: AttrPrefetch;
  project?: string;
  logger: Logger;
  /** The clock of local modification times (tests pass a manual one). */
  now?: () => Date;
}

export interface DirEntry {
  name: string;
  attr: Attr;
}

const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_TRUNC = 0o1000;

export class Filesystem {
  readonly #o: FilesystemOptions;
  readonly #backend: StorageBackend;
  readonly #ns: Namespace;
  readonly #handles = new HandleTable();
  readonly #xattrs: Xattrs;
  readonly #writer: Writer;
  readonly #renamer: Renamer;
  readonly #now: () => Date;

  constructor(options: FilesystemOptions) {
    this.#o = options;
    this.#backend = options.backend;
    this.#now = options.now ?? (() => new Date());
    this.#ns = new Namespace(options.backend, options.layout, options.implicitDirs, options.typeCache);
    this.#xattrs = new Xattrs(options.backend, (b, k) => this.#backend.statObject(b, k));
    this.#writer = new Writer({
      backend: options.backend,
      stagingDir: options.stagingDir,
      keepDir: options.keepDir,
      logger: options.logger,
      now: this.#now,
      uploaded: (b, k) => {
        this.#ns.rememberFile(b, k);
      },
    });
    this.#renamer = new Renamer({
      backend: options.backend,
      ns: this.#ns,
      writer: this.#writer,
      handles: this.#handles,
      renameDirLimit: options.renameDirLimit,
      keepParent: (b, k) => this.#keepParent(b, k),
    });
  }

  #loc(path: string): Location {
    return locate(this.#o.layout, path);
  }

  #writable(): void {
    if (this.#o.readOnly) throw new FsError('read-only', 'mounted read-only');
  }

  /** The node at a path: a file being written here answers from its pending entry, with no lookup. */
  async #node(path: string): Promise<Node> {
    const loc = this.#loc(path);
    if (loc.kind === 'entry') {
      const entry = this.#writer.find(loc.bucket, loc.key);
      if (entry) return pendingNode(entry);
    }
    return this.#ns.lookup(loc);
  }

  // ---- attributes ----

  async getattr(path: string): Promise<Attr> {
    return nodeAttr(this.#o.defaults, await this.#node(path));
  }

  statfs(): Promise<{
    bsize: number;
    frsize: number;
    blocks: number;
    bfree: number;
    bavail: number;
    files: number;
    ffree: number;
    favail: number;
    namemax: number;
  }> {
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
    await this.#node(path);
  }

  // ---- directories ----

  async readdir(path: string): Promise<DirEntry[]> {
    const loc = this.#loc(path);
    const node = await this.#ns.requireDir(loc);
    const d = this.#o.defaults;
    const entries: DirEntry[] = [
      { name: '.', attr: nodeAttr(d, node) },
      { name: '..', attr: dirAttr(d) },
    ];
    if (loc.kind === 'root') {
      const buckets = await this.#backend.listBuckets(
        this.#o.project === undefined ? {} : { project: this.#o.project },
      );
      for (const b of buckets)
        entries.push({
          name: b.name,
          attr: nodeAttr(d, { kind: 'bucket', bucket: b.name, created: b.created }),
        });
      return entries;
    }
    const bucket = loc.bucket;
    const prefix = this.#ns.prefixOf(loc);
    const dirs = new Set<string>();
    const files = new Map<string, Attr>();
    for await (const page of this.#backend.list(bucket, { prefix, delimiter: '/' })) {
      for (const p of page.prefixes) {
        const name = p.slice(prefix.length, -1);
        if (!isShowableName(name) || dirs.has(name)) continue;
        dirs.add(name);
        this.#ns.rememberDir(bucket, prefix + name);
        entries.push({ name, attr: dirAttr(d) });
      }
      for (const o of page.objects) {
        const name = o.name.slice(prefix.length);
        if (isShowableName(name)) files.set(name, fileAttr(d, o));
      }
    }
    // Files being written here: their local size and mtime, and new ones the listing cannot show yet.
    for (const e of this.#writer.under(bucket, prefix)) {
      const name = e.key.slice(prefix.length);
      if (!name.includes('/') && isShowableName(name)) files.set(name, nodeAttr(d, pendingNode(e)));
    }
    const listed: string[] = [];
    for (const [name, attr] of files) {
      if (dirs.has(name)) continue; // a directory shadows a file
      entries.push({ name, attr });
      // The listing says this name is no prefix: the lstat that ls -l sends next needs no directory probe.
      this.#ns.rememberFile(bucket, prefix + name);
      if (!this.#writer.find(bucket, prefix + name)) listed.push(prefix + name);
    }
    // ... and finds its attributes fetched or in flight (attr-prefetch.ts).
    this.#o.attrPrefetch?.files(bucket, listed);
    this.#o.attrPrefetch?.dirs(bucket, [...dirs].map((name) => prefix + name));
    return entries;
  }

  async mkdir(path: string, mode: number): Promise<void> {
    this.#writable();
    const loc = this.#loc(path);
    if (loc.kind === 'root') throw new FsError('exists', 'the mount root exists');
    if (loc.kind === 'bucket') {
      if (!this.#o.layout.project) throw new FsError('exists', 'the mount root exists');
      await this.#backend.createBucket(
        loc.bucket,
        this.#o.project === undefined ? {} : { project: this.#o.project },
      );
      return;
    }
    // The kernel resolved the parent (path walk) before sending mkdir; only the name itself is checked.
    const marker = markerKey(loc.key); // ENAMETOOLONG when `key/` would pass the 1024-byte limit
    if (this.#writer.find(loc.bucket, loc.key) || (await this.#exists(loc)))
      throw new FsError('exists', `${describe(loc)} exists`);
    this.#ns.forgetPath(loc.bucket, loc.key);
    const metadata = writePosix({}, { mode: mode & 0o7777, mtime: this.#now().getTime() / 1000 });
    await this.#backend.writeObject(loc.bucket, marker, Buffer.alloc(0), {
      ifGenerationMatch: '0',
      metadata,
    });
  }

  async rmdir(path: string): Promise<void> {
    this.#writable();
    const loc = this.#loc(path);
    if (loc.kind === 'root') throw new FsError('busy', 'cannot remove the mount root');
    if (loc.kind === 'bucket') {
      if (!this.#o.layout.project) throw new FsError('busy', 'cannot remove the mount root');
      await this.#backend.deleteBucket(loc.bucket);
      return;
    }
    const node = await this.#node(path);
    if (node.kind !== 'dir') throw new FsError('not-dir', `${describe(loc)} is not a directory`);
    const prefix = `${loc.key}/`;
    const page = await this.#backend.listPage(loc.bucket, { prefix, delimiter: '/', pageSize: 2 });
    const children = page.objects.filter((o) => o.name !== prefix).length + page.prefixes.length;
    if (children > 0 || this.#writer.under(loc.bucket, prefix).length > 0)
      throw new FsError('not-empty', `${describe(loc)} is not empty`);
    this.#ns.forgetTree(loc.bucket, loc.key);
    // Conditioned on the marker that was looked up: safe to retry, and never deletes a newer one.
    if (node.marker)
      await this.#backend.deleteObject(loc.bucket, prefix, { ifGenerationMatch: node.marker.generation });
    this.#ns.forgetTree(loc.bucket, loc.key); // a lookup that raced the delete may have seen the directory
  }

  // ---- files ----

  async create(path: string, mode: number): Promise<number> {
    this.#writable();
    const loc = this.#entry(path);
    // No parent lookup: the kernel sends CREATE only under a directory it has just resolved.
    this.#ns.forgetPath(loc.bucket, loc.key);
    const entry = await this.#writer.create(loc.bucket, loc.key, mode & 0o7777);
    return this.#handles.add({ kind: 'write', entry, served: false }).fd;
  }

  async open(path: string, flags: number): Promise<number> {
    const loc = this.#entry(path);
    const node = await this.#node(path);
    if (node.kind !== 'file' && node.kind !== 'symlink')
      throw new FsError('is-dir', `${describe(loc)} is a directory`);
    const access = flags & O_ACCMODE;
    if (access === O_WRONLY || access === O_RDWR) {
      this.#writable();
      const pending = this.#writer.find(loc.bucket, loc.key);
      const entry = await this.#writer.open(
        loc.bucket,
        loc.key,
        pending ? undefined : node.meta,
        (flags & O_TRUNC) !== 0,
      );
      return this.#handles.add({ kind: 'write', entry, served: false }).fd;
    }
    const pending = this.#writer.find(loc.bucket, loc.key);
    const view: ReadView = {
      bucket: loc.bucket,
      key: loc.key,
      generation: node.meta.generation,
      size: node.meta.size,
    };
    const h: Omit<ReadHandle, 'fd'> = { kind: 'read', view, served: false };
    if (pending) h.entry = this.#writer.attach(pending);
    return this.#handles.add(h).fd;
  }

  #handle(fd: number): Handle {
    const h = this.#handles.get(fd);
    if (!h) throw new FsError('bad-fd', `no open file ${fd}`);
    return h;
  }

  /** The pending entry a handle reads through: its own, or a writer's that appeared since it opened. */
  #entryOf(h: Handle): PendingObject | undefined {
    if (h.kind === 'write' || h.entry) return h.entry;
    const pending = this.#writer.find(h.view.bucket, h.view.key);
    if (pending) h.entry = this.#writer.attach(pending);
    return h.entry;
  }

  async read(fd: number, into: Buffer, length: number, offset: number): Promise<number> {
    const h = this.#handle(fd);
    const entry = this.#entryOf(h);
    if (entry) {
      const n = await this.#writer.read(entry, into, length, offset);
      if (n !== undefined) return n;
    }
    const view: ReadView = entry
      ? { bucket: entry.bucket, key: entry.key, generation: entry.base, size: entry.size }
      : (h as ReadHandle).view;
    try {
      const n = await this.#remoteRead(view, into, length, offset, h);
      h.served = true;
      return n;
    } catch (err) {
      if (!isChanged(err) || h.served || h.kind !== 'read' || entry) throw toStale(err, view);
      // Opened from a stale stat (the object changed elsewhere within the stat TTL) and nothing was read
      // yet: read the generation that is there now instead of failing; a deleted object is ENOENT.
      const meta = await this.#backend.statObject(view.bucket, view.key).catch((e: unknown) => {
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
      h.read = this.#o.reader.open(view);
    }
    return this.#o.reader.read(h.read, into, length, offset);
  }

  #writeHandle(fd: number): PendingObject {
    const h = this.#handle(fd);
    if (h.kind !== 'write') throw new FsError('bad-fd', 'file not open for writing');
    return h.entry;
  }

  async write(fd: number, data: Buffer, length: number, offset: number): Promise<number> {
    return this.#writer.write(this.#writeHandle(fd), data, length, offset);
  }

  async ftruncate(fd: number, size: number): Promise<void> {
    await this.#writer.truncate(this.#writeHandle(fd), size);
  }

  async truncate(path: string, size: number): Promise<void> {
    this.#writable();
    const loc = this.#entry(path);
    const pending = this.#writer.find(loc.bucket, loc.key);
    // A file open for writing here: truncated in place, uploaded at its writer's close.
    if (pending) return this.#writer.truncate(pending, size);
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
    if (h.kind === 'write') await this.#writer.flush(h.entry, 'close');
  }

  async fsync(fd: number): Promise<void> {
    const h = this.#handle(fd);
    if (h.kind === 'write') await this.#writer.flush(h.entry, 'sync');
  }

  async release(fd: number): Promise<void> {
    const h = this.#handles.get(fd);
    if (!h) return;
    this.#handles.delete(fd);
    h.read?.close(); // aborts a prefetch in flight
    if (h.entry) await this.#writer.release(h.entry, h.kind === 'write');
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
      backend: this.#backend,
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

  // ---- names ----

  async unlink(path: string): Promise<void> {
    this.#writable();
    const loc = this.#entry(path);
    this.#ns.forgetPath(loc.bucket, loc.key);
    const pending = this.#writer.find(loc.bucket, loc.key);
    if (pending) {
      // Open here: its descriptors keep it, nothing is uploaded at close; the remote base (if any) goes now.
      if (pending.base !== '0') await this.#deleteAt(loc.bucket, loc.key, pending.base);
      this.#writer.unlinked(pending);
    } else {
      const node = await this.#ns.lookup(loc);
      if (node.kind === 'dir') throw new FsError('is-dir', `${describe(loc)} is a directory`);
      if (node.kind !== 'file' && node.kind !== 'symlink') throw new FsError('perm', 'cannot unlink this');
      await this.#deleteAt(loc.bucket, loc.key, node.meta.generation);
    }
    await this.#keepParent(loc.bucket, loc.key);
  }

  /** Deletes the generation that was looked up: safe to retry, never deletes a newer object. */
  async #deleteAt(bucket: string, key: string, generation: string): Promise<void> {
    await this.#backend.deleteObject(bucket, key, { ifGenerationMatch: generation });
  }

  /** A directory that exists only because of its children (implicit) would vanish with its last child;
   *  a local directory does not, so a marker object keeps it (rm -r then rmdirs it as usual). */
  async #keepParent(bucket: string, key: string): Promise<void> {
    const slash = key.lastIndexOf('/');
    if (slash < 0 || key.slice(0, slash + 1) === this.#o.layout.onlyDir) return;
    const parent = key.slice(0, slash + 1);
    const page = await this.#backend.listPage(bucket, { prefix: parent, pageSize: 1 });
    if (page.objects.length > 0 || page.prefixes.length > 0) return;
    if (this.#writer.under(bucket, parent).length > 0) return;
    await this.#backend
      .writeObject(bucket, parent, Buffer.alloc(0), { ifGenerationMatch: '0' })
      .catch((err: unknown) => {
        if (!isStorageError(err, 'precondition-failed')) throw err;
      });
  }

  async rename(from: string, to: string): Promise<void> {
    this.#writable();
    const src = this.#entry(from);
    const dst = this.#entry(to);
    await this.#ns.requireDir(this.#parent(to));
    const node = await this.#node(from);
    await this.#renamer.rename(src, dst, node);
  }

  link(): Promise<never> {
    return Promise.reject(
      new FsError('perm', 'hard links are not supported: an object has exactly one name'),
    );
  }

  async symlink(target: string, path: string): Promise<void> {
    this.#writable();
    const loc = this.#entry(path);
    this.#ns.forgetPath(loc.bucket, loc.key);
    await this.#ns.requireDir(this.#parent(path));
    if (this.#writer.find(loc.bucket, loc.key)) throw new FsError('exists', `${describe(loc)} exists`);
    await this.#backend
      .writeObject(loc.bucket, loc.key, Buffer.alloc(0), {
        ifGenerationMatch: '0',
        metadata: { [SYMLINK_KEY]: target },
      })
      .catch((err: unknown) => {
        if (isStorageError(err, 'precondition-failed'))
          throw new FsError('exists', `${describe(loc)} exists`);
        throw err;
      });
  }

  async readlink(path: string): Promise<string> {
    const node = await this.#node(path);
    if (node.kind !== 'symlink') throw new FsError('invalid', 'not a symbolic link');
    return node.target;
  }

  // ---- POSIX attributes in metadata ----

  async chmod(path: string, mode: number): Promise<void> {
    await this.#setPosix(path, { mode: mode & 0o7777 });
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    const p: PosixOverrides = {};
    // -1 (as unsigned) means "leave unchanged".
    if (uid >= 0 && uid !== 0xffffffff) p.uid = uid;
    if (gid >= 0 && gid !== 0xffffffff) p.gid = gid;
    await this.#setPosix(path, p);
  }

  /** Times in milliseconds, undefined where the caller passed UTIME_OMIT. The atime is not stored. */
  async utimens(path: string, _atime: number | undefined, mtime: number | undefined): Promise<void> {
    this.#writable();
    // touch -a, or an atime-only utimensat: nothing that is stored changes.
    if (mtime === undefined) return;
    // The gsutil key holds whole seconds. A file still being written (cp -p, tar x set the times before
    // close) keeps this time for its upload, unless a later write makes it "now" again.
    const seconds = Math.floor(mtime / 1000);
    await this.#setPosix(path, { mtime: seconds });
  }

  async #setPosix(path: string, p: PosixOverrides): Promise<void> {
    this.#writable();
    const loc = this.#loc(path);
    const pending = loc.kind === 'entry' ? this.#writer.find(loc.bucket, loc.key) : undefined;
    if (pending?.dirty) {
      // Applied with the upload that is about to happen anyway.
      this.#writer.setPosix(pending, p);
      return;
    }
    const node = await this.#node(path);
    if (node.kind === 'root' || node.kind === 'bucket')
      throw new FsError('perm', 'a bucket has no POSIX attributes to change');
    if (node.kind === 'dir') {
      const key = `${node.key}/`;
      if (!node.marker) {
        await this.#backend.writeObject(node.bucket, key, Buffer.alloc(0), {
          ifGenerationMatch: '0',
          metadata: writePosix({}, p),
        });
        return;
      }
      const meta = await this.#backend.statObject(node.bucket, key);
      await this.#backend.updateObjectMetadata(
        node.bucket,
        key,
        { ...writableOf(meta), metadata: writePosix(meta.metadata, p) },
        { ifGenerationMatch: meta.generation },
      );
      return;
    }
    const meta = node.meta;
    if (Object.entries(p).every(([k, v]) => readPosix(meta.metadata)[k as keyof PosixOverrides] === v))
      return;
    const updated = await this.#backend.updateObjectMetadata(
      meta.bucket,
      meta.name,
      { ...writableOf(meta), metadata: writePosix(meta.metadata, p) },
      { ifGenerationMatch: meta.generation },
    );
    // A descriptor open for writing now writes over the new generation (same bytes, new metadata).
    if (pending) this.#writer.rebased(pending, updated);
  }

  // ---- extended attributes ----

  async listxattr(path: string): Promise<string[]> {
    return this.#xattrs.list(await this.#node(path));
  }

  async getxattr(path: string, name: string): Promise<Buffer> {
    stripXattrName(name);
    return this.#xattrs.get(await this.#node(path), name);
  }

  async setxattr(path: string, name: string, value: Buffer): Promise<void> {
    stripXattrName(name); // a foreign namespace (system.posix_acl_access from cp -p) is ENOTSUP, at no cost
    this.#writable();
    await this.#changeMetadata(path, (node) => this.#xattrs.set(node, name, value));
  }

  async removexattr(path: string, name: string): Promise<void> {
    stripXattrName(name);
    this.#writable();
    await this.#changeMetadata(path, (node) => this.#xattrs.remove(node, name));
  }

  /** A metadata change of an object open for writing here: its pending bytes go first (the change applies
   *  to them), and its descriptors then write over the generation the change made. */
  async #changeMetadata(path: string, change: (node: Node) => Promise<void>): Promise<void> {
    const loc = this.#loc(path);
    const pending = loc.kind === 'entry' ? this.#writer.find(loc.bucket, loc.key) : undefined;
    if (pending) await this.#writer.flush(pending);
    await change(await this.#node(path));
    if (pending && loc.kind === 'entry' && pending.base !== '0')
      this.#writer.rebased(pending, await this.#backend.statObject(loc.bucket, loc.key));
  }

  // ---- helpers ----

  #entry(path: string): Extract<Location, { kind: 'entry' }> {
    const loc = this.#loc(path);
    if (loc.kind !== 'entry') throw new FsError('is-dir', `${describe(loc)} is a directory`);
    return loc;
  }

  #parent(path: string): Location {
    const parent = path.replace(/\/+$/, '').replace(/\/[^/]*$/, '') || '/';
    return this.#loc(parent);
  }

  async #exists(loc: Location): Promise<boolean> {
    try {
      await this.#ns.lookup(loc);
      return true;
    } catch (err) {
      if (toFsError(err).code === 'not-found') return false;
      throw err;
    }
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
