// The filesystem core: one async method per POSIX operation, over a StorageBackend, with no kernel in
// sight (tests drive it directly). It maps paths to nodes (namespace.ts), keeps open files (handles.ts),
// reads through the block cache (read/reader.ts) and writes back on flush/close (write/write-back.ts).
// Behaviour that differs from POSIX is in docs/SEMANTICS.md.

import type { Logger } from '../../common/logger.js';
import { isStorageError } from '../../storage/errors.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { ObjectMeta } from '../../storage/types.js';
import type { Reader } from '../read/reader.js';
import { StagingFile } from '../write/staging-file.js';
import { uploadHandle } from '../write/write-back.js';
import { FsError, toFsError } from './errors.js';
import { HandleTable, type Handle } from './handles.js';
import { writableOf } from './metadata-update.js';
import { fileNode, Namespace } from './namespace.js';
import { dirAttr, fileAttr, nodeAttr, S_IFREG, type Attr, type Defaults, type Node } from './nodes.js';
import { describe, isShowableName, locate, type Layout, type Location } from './paths.js';
import { readPosix, SYMLINK_KEY, writePosix, type PosixOverrides } from './posix-attrs.js';
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
  /** How long "this name is a file, not a directory" is trusted (0: always probe). */
  typeCacheTtlMs?: number;
  project?: string;
  logger: Logger;
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
  readonly ns: Namespace;
  readonly handles = new HandleTable();
  readonly xattrs: Xattrs;
  readonly #o: FilesystemOptions;
  readonly #backend: StorageBackend;

  constructor(options: FilesystemOptions) {
    this.#o = options;
    this.#backend = options.backend;
    this.ns = new Namespace(
      options.backend,
      options.layout,
      options.implicitDirs,
      options.typeCacheTtlMs ?? 0,
    );
    this.xattrs = new Xattrs(options.backend, (b, k) => this.#backend.statObject(b, k));
  }

  #loc(path: string): Location {
    return locate(this.#o.layout, path);
  }

  #writable(): void {
    if (this.#o.readOnly) throw new FsError('read-only', 'mounted read-only');
  }

  async #node(path: string): Promise<Node> {
    const loc = this.#loc(path);
    if (loc.kind === 'entry') {
      // A file created here and not yet uploaded: the open handle is the whole truth, no lookup needed.
      const pending = this.handles.forKey(loc.bucket, loc.key).find((h) => h.generation === '0');
      if (pending) return pendingNode(pending);
    }
    try {
      return await this.ns.lookup(loc);
    } catch (err) {
      // A file created here but not yet uploaded exists only as an open handle.
      if (loc.kind === 'entry' && toFsError(err).code === 'not-found') {
        const h = this.handles.forKey(loc.bucket, loc.key)[0];
        if (h) return pendingNode(h);
      }
      throw err;
    }
  }

  // ---- attributes ----

  async getattr(path: string): Promise<Attr> {
    const node = await this.#node(path);
    const attr = nodeAttr(this.#o.defaults, node);
    if (node.kind === 'file') {
      const dirty = this.handles.forKey(node.bucket, node.key).find((h) => h.dirty && h.staging);
      if (dirty?.staging) return { ...attr, size: dirty.staging.size };
    }
    return attr;
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
    const node = await this.ns.requireDir(loc);
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
    const prefix = this.ns.prefixOf(loc);
    const seen = new Set<string>();
    const files = new Map<string, DirEntry>();
    for await (const page of this.#backend.list(bucket, { prefix, delimiter: '/' })) {
      for (const p of page.prefixes) {
        const name = p.slice(prefix.length, -1);
        if (!isShowableName(name) || seen.has(name)) continue;
        seen.add(name);
        entries.push({ name, attr: dirAttr(d) });
      }
      for (const o of page.objects) {
        const name = o.name.slice(prefix.length);
        if (!isShowableName(name)) continue;
        files.set(name, { name, attr: fileAttr(d, o) });
      }
    }
    for (const [name, entry] of files) {
      if (seen.has(name)) continue; // a directory shadows a file
      entries.push(entry);
      // The listing says this name is no prefix: the lstat that ls -l sends next needs no directory probe.
      this.ns.rememberFile(bucket, prefix + name);
    }
    for (const h of this.handles.all()) {
      if (h.bucket !== bucket || !h.key.startsWith(prefix)) continue;
      const name = h.key.slice(prefix.length);
      if (!name.includes('/') && !seen.has(name) && !files.has(name)) {
        files.set(name, { name, attr: nodeAttr(d, pendingNode(h)) });
        entries.push({ name, attr: nodeAttr(d, pendingNode(h)) });
      }
    }
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
    if (await this.#exists(loc)) throw new FsError('exists', `${describe(loc)} exists`);
    this.ns.forgetPath(loc.bucket, loc.key);
    const metadata = writePosix({}, { mode: mode & 0o7777, mtime: Date.now() / 1000 });
    await this.#backend.writeObject(loc.bucket, `${loc.key}/`, Buffer.alloc(0), {
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
    const node = await this.ns.lookup(loc);
    if (node.kind !== 'dir') throw new FsError('not-dir', `${describe(loc)} is not a directory`);
    const prefix = `${loc.key}/`;
    const page = await this.#backend.listPage(loc.bucket, { prefix, delimiter: '/', pageSize: 2 });
    const children = page.objects.filter((o) => o.name !== prefix).length + page.prefixes.length;
    if (children > 0) throw new FsError('not-empty', `${describe(loc)} is not empty`);
    if (node.marker) await this.#backend.deleteObject(loc.bucket, prefix);
  }

  // ---- files ----

  async create(path: string, mode: number): Promise<number> {
    this.#writable();
    const loc = this.#entry(path);
    // No parent lookup: the kernel sends CREATE only under a directory it has just resolved.
    this.ns.forgetPath(loc.bucket, loc.key);
    const staging = await StagingFile.create(this.#o.stagingDir);
    const h = this.handles.add({
      bucket: loc.bucket,
      key: loc.key,
      generation: '0',
      size: 0,
      writable: true,
      staging,
      dirty: true,
      read: { nextOffset: 0, window: 0 },
      createMode: mode & 0o7777,
    });
    return h.fd;
  }

  async open(path: string, flags: number): Promise<number> {
    const loc = this.#entry(path);
    const node = await this.#node(path);
    if (node.kind === 'dir' || node.kind === 'bucket' || node.kind === 'root')
      throw new FsError('is-dir', `${describe(loc)} is a directory`);
    const access = flags & O_ACCMODE;
    const writable = access === O_WRONLY || access === O_RDWR;
    if (writable) this.#writable();
    const meta = node.kind === 'file' ? node.meta : undefined;
    const h = this.handles.add({
      bucket: loc.bucket,
      key: loc.key,
      generation: meta?.generation ?? '0',
      ...(meta ? { meta } : {}),
      size: meta?.size ?? 0,
      writable,
      dirty: false,
      read: { nextOffset: 0, window: 0 },
    });
    if (writable && flags & O_TRUNC) {
      h.staging = await StagingFile.create(this.#o.stagingDir);
      h.dirty = true;
    }
    return h.fd;
  }

  #handle(fd: number): Handle {
    const h = this.handles.get(fd);
    if (!h) throw new FsError('bad-fd', `no open file ${fd}`);
    return h;
  }

  async read(fd: number, into: Buffer, length: number, offset: number): Promise<number> {
    const h = this.#handle(fd);
    if (h.staging) return h.staging.read(into, length, offset);
    try {
      return await this.#o.reader.read(
        { bucket: h.bucket, key: h.key, generation: h.generation, size: h.size },
        into,
        length,
        offset,
        h.read,
      );
    } catch (err) {
      // The object was replaced or deleted since open: this handle's view is gone.
      if (isStorageError(err, 'not-found') || isStorageError(err, 'precondition-failed')) {
        throw new FsError('stale', `${h.bucket}/${h.key} changed since it was opened`, { cause: err });
      }
      throw err;
    }
  }

  /** Makes sure the handle has a staging file holding the object's current bytes (copy on first write). */
  async #stage(h: Handle): Promise<StagingFile> {
    if (h.staging) return h.staging;
    const staging = await StagingFile.create(this.#o.stagingDir);
    try {
      if (h.generation !== '0' && h.size > 0) {
        const { body } = await this.#backend.readObject(h.bucket, h.key, { generation: h.generation });
        await staging.fill(body);
      }
    } catch (err) {
      await staging.discard();
      throw err;
    }
    h.staging = staging;
    return staging;
  }

  async write(fd: number, data: Buffer, length: number, offset: number): Promise<number> {
    const h = this.#handle(fd);
    if (!h.writable) throw new FsError('bad-fd', 'file not open for writing');
    const staging = await this.#stage(h);
    const n = await staging.write(data, length, offset);
    h.dirty = true;
    return n;
  }

  async ftruncate(fd: number, size: number): Promise<void> {
    const h = this.#handle(fd);
    if (!h.writable) throw new FsError('bad-fd', 'file not open for writing');
    const staging = await this.#stage(h);
    await staging.truncate(size);
    h.dirty = true;
  }

  async truncate(path: string, size: number): Promise<void> {
    this.#writable();
    const loc = this.#entry(path);
    const open = this.handles.forKey(loc.bucket, loc.key).find((h) => h.writable);
    if (open) return this.ftruncate(open.fd, size);
    const fd = await this.open(path, O_RDWR);
    try {
      await this.ftruncate(fd, size);
      await this.flush(fd);
    } finally {
      await this.release(fd);
    }
  }

  /** Uploads a dirty handle; on failure the staged bytes stay and the error reaches close()/fsync(). */
  async flush(fd: number): Promise<void> {
    await this.#upload(this.#handle(fd));
  }

  async #upload(h: Handle): Promise<void> {
    if (!h.dirty || !h.staging) return;
    const meta = await uploadHandle(this.#backend, h, this.#o.logger);
    h.generation = meta.generation;
    h.meta = meta;
    h.size = meta.size;
    h.dirty = false;
  }

  async fsync(fd: number): Promise<void> {
    await this.flush(fd);
  }

  async release(fd: number): Promise<void> {
    const h = this.handles.get(fd);
    if (!h) return;
    if (h.dirty) {
      // close(2) already reported a failed flush; one more try before the bytes are set aside.
      await this.#upload(h).catch(() => undefined);
    }
    this.handles.delete(fd);
    if (!h.staging) return;
    if (h.dirty) {
      const kept = await h.staging.keep(this.#o.keepDir, `${h.bucket}-${h.key}`);
      this.#o.logger.error('upload failed at close; the written bytes are kept locally', {
        object: `gs://${h.bucket}/${h.key}`,
        keptAt: kept,
      });
      return;
    }
    await h.staging.discard();
  }

  /** Uploads every dirty handle (clean stop); returns what could not be uploaded. */
  async drain(): Promise<{ uploaded: number; failed: string[] }> {
    let uploaded = 0;
    const failed: string[] = [];
    for (const h of this.handles.all()) {
      if (!h.dirty) continue;
      try {
        await this.flush(h.fd);
        uploaded++;
      } catch {
        failed.push(`gs://${h.bucket}/${h.key}`);
      }
    }
    return { uploaded, failed };
  }

  // ---- names ----

  async unlink(path: string): Promise<void> {
    this.#writable();
    const loc = this.#entry(path);
    const node = await this.#node(path);
    if (node.kind === 'dir') throw new FsError('is-dir', `${describe(loc)} is a directory`);
    if (node.kind === 'file' && node.meta.generation === '0') return; // only a pending local file
    await this.#backend.deleteObject(loc.bucket, loc.key);
    await this.#keepParent(loc.bucket, loc.key);
  }

  /** A directory that exists only because of its children (implicit) would vanish with its last child;
   *  a local directory does not, so a marker object keeps it (rm -r then rmdirs it as usual). */
  async #keepParent(bucket: string, key: string): Promise<void> {
    const slash = key.lastIndexOf('/');
    if (slash < 0 || key.slice(0, slash + 1) === this.#o.layout.onlyDir) return;
    const parent = key.slice(0, slash + 1);
    const page = await this.#backend.listPage(bucket, { prefix: parent, pageSize: 1 });
    if (page.objects.length > 0 || page.prefixes.length > 0) return;
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
    this.ns.forgetPath(src.bucket, src.key);
    this.ns.forgetPath(dst.bucket, dst.key);
    for (const h of this.handles.forKey(src.bucket, src.key)) if (h.dirty) await this.flush(h.fd);
    const node = await this.#node(from);
    await this.ns.requireDir(this.#parent(to));
    if (node.kind === 'dir') return this.#renameDir(src, dst);
    if (node.kind !== 'file' && node.kind !== 'symlink') throw new FsError('invalid', 'cannot rename this');
    const existing = await this.ns.lookupEntry(dst.bucket, dst.key).catch(() => undefined);
    if (existing?.kind === 'dir') throw new FsError('is-dir', `${describe(dst)} is a directory`);
    const ifGenerationMatch =
      existing && existing.kind !== 'root' && existing.kind !== 'bucket' && 'meta' in existing
        ? existing.meta.generation
        : '0';
    await this.#backend.copyObject(
      { bucket: src.bucket, name: src.key },
      { bucket: dst.bucket, name: dst.key },
      { ifGenerationMatch, sourceGeneration: node.meta.generation },
    );
    await this.#backend.deleteObject(src.bucket, src.key, { ifGenerationMatch: node.meta.generation });
    await this.#keepParent(src.bucket, src.key);
  }

  /** Directory rename, object by object (not atomic: docs/SEMANTICS.md). Past the limit, EXDEV makes
   *  mv(1) fall back to copying and deleting itself. */
  async #renameDir(
    src: { bucket: string; key: string },
    dst: { bucket: string; key: string },
  ): Promise<void> {
    const from = `${src.key}/`;
    const to = `${dst.key}/`;
    if (to.startsWith(from) && src.bucket === dst.bucket)
      throw new FsError('invalid', 'cannot move a directory into itself');
    const target = await this.ns.lookupEntry(dst.bucket, dst.key).catch(() => undefined);
    if (target?.kind === 'dir') {
      const page = await this.#backend.listPage(dst.bucket, { prefix: to, pageSize: 2 });
      if (page.objects.some((o) => o.name !== to)) throw new FsError('not-empty', `${dst.key} is not empty`);
    } else if (target) throw new FsError('not-dir', `${dst.key} is not a directory`);
    const names: string[] = [];
    for await (const page of this.#backend.list(src.bucket, { prefix: from })) {
      for (const o of page.objects) names.push(o.name);
      if (names.length > this.#o.renameDirLimit) {
        throw new FsError(
          'cross-device',
          `directory holds more than --rename-dir-limit=${this.#o.renameDirLimit} objects`,
        );
      }
    }
    for (const name of names) {
      await this.#backend.copyObject(
        { bucket: src.bucket, name },
        { bucket: dst.bucket, name: to + name.slice(from.length) },
        {},
      );
    }
    for (const name of names) await this.#backend.deleteObject(src.bucket, name);
    await this.#keepParent(src.bucket, src.key);
  }

  link(): Promise<never> {
    return Promise.reject(
      new FsError('perm', 'hard links are not supported: an object has exactly one name'),
    );
  }

  async symlink(target: string, path: string): Promise<void> {
    this.#writable();
    const loc = this.#entry(path);
    this.ns.forgetPath(loc.bucket, loc.key);
    await this.ns.requireDir(this.#parent(path));
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

  async utimens(path: string, _atime: number, mtime: number): Promise<void> {
    // fuse-native passes milliseconds; the gsutil key holds whole seconds.
    await this.#setPosix(path, { mtime: Math.floor(mtime / 1000) });
  }

  async #setPosix(path: string, p: PosixOverrides): Promise<void> {
    this.#writable();
    const loc = this.#loc(path);
    const node = await this.#node(path);
    if (node.kind === 'root' || node.kind === 'bucket')
      throw new FsError('perm', 'a bucket has no POSIX attributes to change');
    const pending =
      loc.kind === 'entry' ? this.handles.forKey(loc.bucket, loc.key).find((h) => h.dirty) : undefined;
    if (pending) {
      // Applied with the upload that is about to happen anyway.
      pending.meta = {
        ...(pending.meta ?? pendingMeta(pending)),
        metadata: writePosix(pending.meta?.metadata ?? {}, p),
      };
      if (p.mode !== undefined) pending.createMode = p.mode;
      return;
    }
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
    await this.#backend.updateObjectMetadata(
      meta.bucket,
      meta.name,
      { ...writableOf(meta), metadata: writePosix(meta.metadata, p) },
      { ifGenerationMatch: meta.generation },
    );
  }

  // ---- extended attributes ----

  async listxattr(path: string): Promise<string[]> {
    return this.xattrs.list(await this.#node(path));
  }

  async getxattr(path: string, name: string): Promise<Buffer> {
    stripXattrName(name);
    return this.xattrs.get(await this.#node(path), name);
  }

  async setxattr(path: string, name: string, value: Buffer): Promise<void> {
    this.#writable();
    await this.xattrs.set(await this.#node(path), name, value);
  }

  async removexattr(path: string, name: string): Promise<void> {
    stripXattrName(name);
    this.#writable();
    await this.xattrs.remove(await this.#node(path), name);
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
      await this.ns.lookup(loc);
      return true;
    } catch (err) {
      if (toFsError(err).code === 'not-found') return false;
      throw err;
    }
  }
}

function pendingMeta(h: Handle): ObjectMeta {
  const now = new Date();
  return {
    bucket: h.bucket,
    name: h.key,
    size: h.staging?.size ?? h.size,
    generation: '0',
    metageneration: '0',
    updated: now,
    etag: '',
    contentType: 'application/octet-stream',
    metadata: writePosix(
      {},
      { ...(h.createMode === undefined ? {} : { mode: h.createMode }), mtime: now.getTime() / 1000 },
    ),
  };
}

/** A file that exists only as an open handle (created, not yet uploaded). */
function pendingNode(h: Handle): Node {
  return fileNode(h.meta ?? pendingMeta(h));
}

export { S_IFREG };
