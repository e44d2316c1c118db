// Path -> node. An entry is a directory when a `key/` marker object exists or (with implicit dirs on) any
// object lives under `key/`; otherwise a file (or symlink) when the object `key` exists. When both a
// file `foo` and a directory `foo/` exist, the directory wins and the file is hidden, as in mountpoint-s3:
// one name cannot be two things (docs/SEMANTICS.md "Names").

import { isStorageError } from '../../storage/errors.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { ObjectMeta } from '../../storage/types.js';
import { FsError } from './errors.js';
import type { Node } from './nodes.js';
import { dirPrefix, type Layout, type Location } from './paths.js';
import { SYMLINK_KEY } from './posix-attrs.js';

export class Namespace {
  /** Names known to be files and not directories (bucket NUL key -> expiry, ms): a stat of a known file
   *  then needs no directory probe. Kept coherent with the mount's own changes by forgetPath(); changes
   *  made elsewhere are seen after the type-cache TTL, as in gcsfuse. */
  readonly #notDir = new Map<string, number>();

  constructor(
    readonly backend: StorageBackend,
    readonly layout: Layout,
    readonly implicitDirs: boolean,
    readonly typeTtlMs = 0,
    readonly now: () => number = Date.now,
  ) {}

  /** A listing with delimiter showed `key` as an object and not as a prefix: it is a file, not a dir. */
  rememberFile(bucket: string, key: string): void {
    if (this.typeTtlMs <= 0) return;
    if (this.#notDir.size > 100_000) this.#notDir.clear();
    this.#notDir.set(`${bucket}\u0000${key}`, this.now() + this.typeTtlMs);
  }

  /** The mount created, renamed or removed something at `key`: `key` and its ancestors may have become
   *  directories. */
  forgetPath(bucket: string, key: string): void {
    let k = key.replace(/\/+$/, '');
    for (;;) {
      this.#notDir.delete(`${bucket}\u0000${k}`);
      const slash = k.lastIndexOf('/');
      if (slash < 0) return;
      k = k.slice(0, slash);
    }
  }

  async lookup(loc: Location): Promise<Node> {
    switch (loc.kind) {
      case 'root':
        return { kind: 'root' };
      case 'bucket':
        await this.backend.headBucket(loc.bucket);
        return { kind: 'bucket', bucket: loc.bucket };
      case 'entry':
        return this.lookupEntry(loc.bucket, loc.key);
    }
  }

  async lookupEntry(bucket: string, key: string): Promise<Node> {
    const id = `${bucket}\u0000${key}`;
    const knownFile = (this.#notDir.get(id) ?? 0) > this.now();
    const [stat, dir] = await Promise.all([
      this.#stat(bucket, key),
      knownFile ? undefined : this.#dirProbe(bucket, `${key}/`),
    ]);
    if (dir) return dir;
    if (stat) {
      if (this.typeTtlMs > 0 && !knownFile) {
        if (this.#notDir.size > 100_000) this.#notDir.clear();
        this.#notDir.set(id, this.now() + this.typeTtlMs);
      }
      return fileNode(stat);
    }
    this.#notDir.delete(id);
    throw new FsError('not-found', `no such file or directory: gs://${bucket}/${key}`);
  }

  /** A directory node when `prefix` is a directory, else undefined. */
  async #dirProbe(bucket: string, prefix: string): Promise<Node | undefined> {
    const page = await this.backend.listPage(bucket, { prefix, delimiter: '/', pageSize: 1 });
    const first = page.objects[0];
    const key = prefix.slice(0, -1);
    if (first?.name === prefix) return { kind: 'dir', bucket, key, marker: first };
    if (!this.implicitDirs) return undefined;
    return first !== undefined || page.prefixes.length > 0 ? { kind: 'dir', bucket, key } : undefined;
  }

  async #stat(bucket: string, key: string): Promise<ObjectMeta | undefined> {
    try {
      return await this.backend.statObject(bucket, key);
    } catch (err) {
      if (isStorageError(err, 'not-found')) return undefined;
      throw err;
    }
  }

  /** The node a location must be for a directory operation (readdir, mkdir's parent, ...). */
  async requireDir(loc: Location): Promise<Node> {
    const node = await this.lookup(loc);
    if (node.kind === 'file' || node.kind === 'symlink') throw new FsError('not-dir', 'not a directory');
    return node;
  }

  prefixOf(loc: Location): string {
    return dirPrefix(this.layout, loc);
  }
}

export function fileNode(meta: ObjectMeta): Node {
  const target = meta.metadata[SYMLINK_KEY];
  return target !== undefined
    ? { kind: 'symlink', bucket: meta.bucket, key: meta.name, meta, target }
    : { kind: 'file', bucket: meta.bucket, key: meta.name, meta };
}
