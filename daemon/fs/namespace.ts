// Path -> node. An entry is a directory when a `key/` marker object exists or (with implicit dirs on) any
// object lives under `key/`; otherwise a file (or symlink) when the object `key` exists. When both a
// file `foo` and a directory `foo/` exist, the directory wins and the file is hidden, as in mountpoint-s3:
// one name cannot be two things (docs/SEMANTICS.md "Names").
// Request cost of a lookup: HEAD `key` and a one-entry LIST of `key/` in parallel; a name the type cache
// knows as a file skips the LIST; one it knows as a directory costs only the HEAD of its marker (an
// implicit directory's 404 is then negatively cached); a directory with a marker adds a HEAD of the
// marker (its mode, owner and mtime live in metadata a listing does not carry), which the stat cache then
// answers. The root of a bucket mount costs nothing (its bucket was checked at start); a bucket of a
// project mount, one HEAD.

import { NameSet } from '../../cache/name-set.js';
import { systemClock } from '../../common/clock.js';
import { isStorageError } from '../../storage/errors.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { ObjectMeta } from '../../storage/types.js';
import { FsError } from '../posix/errors.js';
import type { Node } from './nodes.js';
import { canBeDir, dirPrefix, markerKey, type Layout, type Location } from './paths.js';
import { SYMLINK_KEY } from '../posix/attrs.js';
import type { FreshDirs } from './fresh-dirs.js';

export class Namespace {
  /** Names known to be files and not directories: kept coherent with the mount's own changes by
   *  forgetPath(); changes made elsewhere are seen after the type-cache TTL, as in gcsfuse. */
  readonly #types: NameSet;
  /** Names known to be directories (a listing's prefixes, a probe that found one), same rules. */
  readonly #dirs: NameSet;
  /** Directories made here whose contents are known (fresh-dirs.ts); none: every lookup asks. */
  readonly #fresh: FreshDirs | undefined;

  constructor(
    readonly backend: StorageBackend,
    readonly layout: Layout,
    readonly implicitDirs: boolean,
    types: NameSet = NameSet.disabled(systemClock),
    dirs: NameSet = NameSet.disabled(systemClock),
    fresh?: FreshDirs,
  ) {
    this.#types = types;
    this.#dirs = dirs;
    // Without implicit directories a mkdir may succeed over objects it could not see: not known empty.
    this.#fresh = implicitDirs ? fresh : undefined;
  }

  /** mkdir made the directory `key` here: it is a directory, and empty (fresh-dirs.ts). */
  createdDir(bucket: string, key: string): void {
    this.rememberDir(bucket, key);
    this.#fresh?.created(bucket, key);
    this.rememberAncestors(bucket, key);
  }

  /** Something was created at `key` here: every directory above it exists (the kernel resolved them),
   *  so their lookups need no directory probe. */
  rememberAncestors(bucket: string, key: string): void {
    for (let slash = key.lastIndexOf('/'); slash > 0; slash = key.lastIndexOf('/', slash - 1))
      this.rememberDir(bucket, key.slice(0, slash));
  }

  /** A listing with delimiter showed `key` as an object and not as a prefix: it is a file, not a dir. */
  rememberFile(bucket: string, key: string): void {
    this.#dirs.delete(bucket, key);
    this.#types.add(bucket, key);
  }

  /** The mount created, renamed or removed something at `key`: `key` and its ancestors may have become
   *  directories. */
  forgetPath(bucket: string, key: string): void {
    let k = key.replace(/\/+$/, '');
    for (;;) {
      this.#types.delete(bucket, k);
      this.#dirs.delete(bucket, k);
      this.#fresh?.touch(bucket, k);
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
        // A bucket mount's root: the mount checked its bucket at start (mount-command.ts), so a lookup
        // under it (a missing name, a create's parent) costs no HEAD of the bucket each time.
        if (!this.layout.project) return { kind: 'bucket', bucket: loc.bucket };
        await this.backend.headBucket(loc.bucket);
        return { kind: 'bucket', bucket: loc.bucket };
      case 'entry':
        return this.lookupEntry(loc.bucket, loc.key);
    }
  }

  /** A listing showed `key/` as a prefix: `key` is a directory. */
  rememberDir(bucket: string, key: string): void {
    this.#types.delete(bucket, key);
    this.#dirs.add(bucket, key);
  }

  /** A directory `key` was renamed or removed here: forget it and every name under it as well. */
  forgetTree(bucket: string, key: string): void {
    this.forgetPath(bucket, key);
    this.#fresh?.forgetTree(bucket, key.replace(/\/+$/, ''));
    const under = `${key.replace(/\/+$/, '')}/`;
    this.#types.deleteUnder(bucket, under);
    this.#dirs.deleteUnder(bucket, under);
  }

  async lookupEntry(bucket: string, key: string): Promise<Node> {
    if (this.#dirs.has(bucket, key)) {
      // Known a directory (a listing or a probe showed it): only its marker's metadata, which the stat
      // cache usually has (readdir's prefetch).
      const marker = await this.#stat(bucket, markerKey(key));
      return marker ? { kind: 'dir', bucket, key, marker } : { kind: 'dir', bucket, key };
    }
    const knownFile = this.#types.has(bucket, key);
    // In a directory made here, a name the mount never touched does not exist: no request.
    if (!knownFile && this.#fresh?.knownAbsent(bucket, key))
      throw new FsError('not-found', `no such file or directory: gs://${bucket}/${key}`);
    const [stat, dir] = await Promise.all([
      this.#stat(bucket, key),
      knownFile ? undefined : this.#dirProbe(bucket, key),
    ]);
    if (dir) {
      this.rememberDir(bucket, key);
      return dir;
    }
    if (stat) {
      // A known file keeps its first expiry: only a listing or a probe that saw it renews the answer.
      if (!knownFile) this.#types.add(bucket, key);
      return fileNode(stat);
    }
    this.#types.delete(bucket, key);
    throw new FsError('not-found', `no such file or directory: gs://${bucket}/${key}`);
  }

  /** A directory node when `key` is a directory, else undefined. */
  async #dirProbe(bucket: string, key: string): Promise<Node | undefined> {
    // Nothing can live under a prefix that is already past the longest object name: no request needed.
    if (!canBeDir(key)) return undefined;
    const prefix = markerKey(key);
    const page = await this.backend.listPage(bucket, { prefix, delimiter: '/', pageSize: 1 });
    const first = page.objects[0];
    if (first?.name === prefix) {
      const marker = await this.#stat(bucket, prefix);
      // The marker went away between the listing and the HEAD: a directory a moment ago, shown as one
      // with the defaults (a lookup racing an rmdir may see either state).
      return marker ? { kind: 'dir', bucket, key, marker } : { kind: 'dir', bucket, key };
    }
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
