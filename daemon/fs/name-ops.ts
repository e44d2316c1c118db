// Names: unlink (conditioned on the generation that was looked up), rename (rename.ts), symlinks (an
// empty object whose metadata holds the target) and hard links (refused: an object has one name).

import { isStorageError } from '../../storage/errors.js';
import type { FsContext } from './context.js';
import { FsError } from '../posix/errors.js';
import { describe } from './paths.js';
import { SYMLINK_KEY } from '../posix/attrs.js';
import type { Renamer } from './rename.js';

export class NameOps {
  readonly #c: FsContext;
  readonly #renamer: Renamer;
  readonly #keepParent: (bucket: string, key: string) => Promise<void>;

  constructor(c: FsContext, renamer: Renamer, keepParent: (bucket: string, key: string) => Promise<void>) {
    this.#c = c;
    this.#renamer = renamer;
    this.#keepParent = keepParent;
  }

  async unlink(path: string): Promise<void> {
    const c = this.#c;
    c.writable();
    const loc = c.entry(path);
    c.ns.forgetPath(loc.bucket, loc.key);
    const pending = c.writer.find(loc.bucket, loc.key);
    if (pending) {
      // Open here: its descriptors keep it, nothing is uploaded at close; the remote base (if any) goes now.
      if (pending.base !== '0') await this.#deleteAt(loc.bucket, loc.key, pending.base);
      c.writer.unlinked(pending);
    } else {
      const node = await c.ns.lookup(loc);
      if (node.kind === 'dir') throw new FsError('is-dir', `${describe(loc)} is a directory`);
      if (node.kind !== 'file' && node.kind !== 'symlink') throw new FsError('perm', 'cannot unlink this');
      await this.#deleteAt(loc.bucket, loc.key, node.meta.generation);
    }
    await this.#keepParent(loc.bucket, loc.key);
  }

  /** Deletes the generation that was looked up: safe to retry, never deletes a newer object. */
  async #deleteAt(bucket: string, key: string, generation: string): Promise<void> {
    await this.#c.backend.deleteObject(bucket, key, { ifGenerationMatch: generation });
  }

  async rename(from: string, to: string): Promise<void> {
    const c = this.#c;
    c.writable();
    const src = c.entry(from);
    const dst = c.entry(to);
    await c.ns.requireDir(c.parent(to));
    const node = await c.node(from);
    await this.#renamer.rename(src, dst, node);
  }

  link(): Promise<never> {
    return Promise.reject(
      new FsError('perm', 'hard links are not supported: an object has exactly one name'),
    );
  }

  async symlink(target: string, path: string): Promise<void> {
    const c = this.#c;
    c.writable();
    const loc = c.entry(path);
    c.ns.forgetPath(loc.bucket, loc.key);
    await c.ns.requireDir(c.parent(path));
    if (c.writer.find(loc.bucket, loc.key)) throw new FsError('exists', `${describe(loc)} exists`);
    await c.backend
      .writeObject(loc.bucket, loc.key, Buffer.alloc(0), {
        ifGenerationMatch: '0',
        metadata: { [SYMLINK_KEY]: target },
      })
      .catch((err: unknown) => {
        if (isStorageError(err, 'precondition-failed'))
          throw new FsError('exists', `${describe(loc)} exists`);
        throw err;
      });
    c.ns.rememberAncestors(loc.bucket, loc.key);
  }

  async readlink(path: string): Promise<string> {
    const node = await this.#c.node(path);
    if (node.kind !== 'symlink') throw new FsError('invalid', 'not a symbolic link');
    return node.target;
  }
}
