// Metadata of an object or directory marker: the POSIX attributes (chmod, chown, utimens, stored in
// gsutil-compatible metadata keys, posix/attrs.ts) and extended attributes (xattrs.ts). A file being
// written here takes the change with its upload, or uploads first and then follows the new generation.

import { writableOf } from '../../storage/writable-metadata.js';
import type { FsContext } from './context.js';
import { FsError } from '../posix/errors.js';
import type { Node } from './nodes.js';
import { readPosix, writePosix, type PosixOverrides } from '../posix/attrs.js';
import { strip as stripXattrName, type Xattrs } from './xattrs.js';

export class MetadataOps {
  readonly #c: FsContext;
  readonly #xattrs: Xattrs;

  constructor(c: FsContext, xattrs: Xattrs) {
    this.#c = c;
    this.#xattrs = xattrs;
  }

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
    this.#c.writable();
    // touch -a, or an atime-only utimensat: nothing that is stored changes.
    if (mtime === undefined) return;
    // The gsutil key holds whole seconds. A file still being written (cp -p, tar x set the times before
    // close) keeps this time for its upload, unless a later write makes it "now" again.
    const seconds = Math.floor(mtime / 1000);
    await this.#setPosix(path, { mtime: seconds });
  }

  async #setPosix(path: string, p: PosixOverrides): Promise<void> {
    const c = this.#c;
    c.writable();
    const loc = c.loc(path);
    const pending = loc.kind === 'entry' ? c.writer.find(loc.bucket, loc.key) : undefined;
    if (pending?.dirty) {
      // Applied with the upload that is about to happen anyway.
      c.writer.setPosix(pending, p);
      return;
    }
    const node = await c.node(path);
    if (node.kind === 'root' || node.kind === 'bucket')
      throw new FsError('perm', 'a bucket has no POSIX attributes to change');
    if (node.kind === 'dir') {
      const key = `${node.key}/`;
      if (!node.marker) {
        await c.backend.writeObject(node.bucket, key, Buffer.alloc(0), {
          ifGenerationMatch: '0',
          metadata: writePosix({}, p),
        });
        return;
      }
      const meta = await c.backend.statObject(node.bucket, key);
      await c.backend.updateObjectMetadata(
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
    const updated = await c.backend.updateObjectMetadata(
      meta.bucket,
      meta.name,
      { ...writableOf(meta), metadata: writePosix(meta.metadata, p) },
      { ifGenerationMatch: meta.generation },
    );
    // A descriptor open for writing now writes over the new generation (same bytes, new metadata).
    if (pending) c.writer.rebased(pending, updated);
  }

  async listxattr(path: string): Promise<string[]> {
    return this.#xattrs.list(await this.#c.node(path));
  }

  async getxattr(path: string, name: string): Promise<Buffer> {
    stripXattrName(name);
    return this.#xattrs.get(await this.#c.node(path), name);
  }

  async setxattr(path: string, name: string, value: Buffer): Promise<void> {
    stripXattrName(name); // a foreign namespace (system.posix_acl_access from cp -p) is ENOTSUP, at no cost
    this.#c.writable();
    await this.#changeMetadata(path, (node) => this.#xattrs.set(node, name, value));
  }

  async removexattr(path: string, name: string): Promise<void> {
    stripXattrName(name);
    this.#c.writable();
    await this.#changeMetadata(path, (node) => this.#xattrs.remove(node, name));
  }

  /** A metadata change of an object open for writing here: its pending bytes go first (the change applies
   *  to them), and its descriptors then write over the generation the change made. */
  async #changeMetadata(path: string, change: (node: Node) => Promise<void>): Promise<void> {
    const c = this.#c;
    const loc = c.loc(path);
    const pending = loc.kind === 'entry' ? c.writer.find(loc.bucket, loc.key) : undefined;
    if (pending) await c.writer.flush(pending);
    await change(await c.node(path));
    if (pending && loc.kind === 'entry' && pending.base !== '0')
      c.writer.rebased(pending, await c.backend.statObject(loc.bucket, loc.key));
  }
}
