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
  constructor(
    readonly backend: StorageBackend,
    readonly layout: Layout,
    readonly implicitDirs: boolean,
  ) {}

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
    const [stat, dir] = await Promise.all([this.#stat(bucket, key), this.#dirProbe(bucket, `${key}/`)]);
    if (dir) return dir;
    if (stat) return fileNode(stat);
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
