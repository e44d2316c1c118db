// rename(2) over an object store: a server-side copy to the new name, then a delete of the old one
// (conditioned on the generation that was copied), so a crash in between leaves both names, never
// neither. Files open here follow the rename: their pending entry is re-keyed, so later writes and the
// close land under the new name, and read descriptors read the copy. A directory is renamed object by
// object (not atomic: docs/SEMANTICS.md); past the limit, EXDEV makes mv(1) copy and delete itself.

import type { StorageBackend } from '../../storage/backend.js';
import type { ObjectMeta } from '../../storage/types.js';
import type { Writer } from '../write/writer.js';
import { FsError } from '../posix/errors.js';
import type { HandleTable } from './handles.js';
import type { Namespace } from './namespace.js';
import type { Node } from './nodes.js';
import { describe } from './paths.js';

export interface Entry {
  kind: 'entry';
  bucket: string;
  key: string;
}

export interface RenamerDeps {
  backend: StorageBackend;
  ns: Namespace;
  writer: Writer;
  handles: HandleTable;
  renameDirLimit: number;
  /** Keeps an emptied implicit parent directory (a marker), as Filesystem does after every removal. */
  keepParent(bucket: string, key: string): Promise<void>;
}

export class Renamer {
  constructor(readonly d: RenamerDeps) {}

  async rename(src: Entry, dst: Entry, node: Node): Promise<void> {
    this.d.ns.forgetPath(src.bucket, src.key);
    this.d.ns.forgetPath(dst.bucket, dst.key);
    if (node.kind === 'dir') {
      // Names under it known as directories would outlive the move (a lookup racing it, too).
      this.d.ns.forgetTree(src.bucket, src.key);
      try {
        await this.#renameDir(src, dst);
        return;
      } finally {
        this.d.ns.forgetTree(src.bucket, src.key);
      }
    }
    if (node.kind !== 'file' && node.kind !== 'symlink') throw new FsError('invalid', 'cannot rename this');
    if (src.bucket === dst.bucket && src.key === dst.key) return;
    const over = await this.#target(dst);
    const pending = this.d.writer.find(src.bucket, src.key);
    if (pending) await this.d.writer.quiet(pending); // an upload in flight settles the base first
    // The remote object under the old name: none for a file created here and not uploaded yet.
    const remote = pending ? (pending.base === '0' ? undefined : pending.base) : node.meta.generation;
    let copied: ObjectMeta | undefined;
    if (remote !== undefined) {
      copied = await this.d.backend.copyObject(
        { bucket: src.bucket, name: src.key },
        { bucket: dst.bucket, name: dst.key },
        { ifGenerationMatch: over, sourceGeneration: remote },
      );
      await this.d.backend.deleteObject(src.bucket, src.key, { ifGenerationMatch: remote });
    }
    if (pending) {
      // Its upload now replaces what is at the new name: the copy, or the object renamed over.
      await this.d.writer.renamed(pending, dst.bucket, dst.key, copied, copied?.generation ?? over);
    } else {
      const displaced = this.d.writer.find(dst.bucket, dst.key);
      if (displaced) this.d.writer.unlinked(displaced);
    }
    if (copied) this.#follow(src, dst.bucket, dst.key, copied);
    await this.d.keepParent(src.bucket, src.key);
  }

  /** The generation a rename onto `dst` replaces ('0': nothing there); a directory there is EISDIR. */
  async #target(dst: Entry): Promise<string> {
    const pending = this.d.writer.find(dst.bucket, dst.key);
    if (pending) return pending.base;
    const existing = await this.d.ns.lookupEntry(dst.bucket, dst.key).catch(() => undefined);
    if (existing?.kind === 'dir') throw new FsError('is-dir', `${describe(dst)} is a directory`);
    return existing && (existing.kind === 'file' || existing.kind === 'symlink')
      ? existing.meta.generation
      : '0';
  }

  /** Read descriptors of the old name now read the copy. */
  #follow(src: Entry, bucket: string, key: string, copied: ObjectMeta): void {
    for (const h of this.d.handles.readersOf(src.bucket, src.key))
      h.view = { bucket, key, generation: copied.generation, size: copied.size };
  }

  async #renameDir(src: Entry, dst: Entry): Promise<void> {
    const from = `${src.key}/`;
    const to = `${dst.key}/`;
    if (to.startsWith(from) && src.bucket === dst.bucket)
      throw new FsError('invalid', 'cannot move a directory into itself');
    const target = await this.d.ns.lookupEntry(dst.bucket, dst.key).catch(() => undefined);
    if (target?.kind === 'dir') {
      const page = await this.d.backend.listPage(dst.bucket, { prefix: to, pageSize: 2 });
      if (page.objects.some((o) => o.name !== to)) throw new FsError('not-empty', `${dst.key} is not empty`);
    } else if (target) throw new FsError('not-dir', `${dst.key} is not a directory`);
    const objects: { name: string; generation: string }[] = [];
    for await (const page of this.d.backend.list(src.bucket, { prefix: from })) {
      for (const o of page.objects) objects.push(o);
      if (objects.length > this.d.renameDirLimit) {
        throw new FsError(
          'cross-device',
          `directory holds more than --rename-dir-limit=${this.d.renameDirLimit} objects`,
        );
      }
    }
    const copies = new Map<string, ObjectMeta>();
    for (const o of objects) {
      const copy = await this.d.backend.copyObject(
        { bucket: src.bucket, name: o.name },
        { bucket: dst.bucket, name: to + o.name.slice(from.length) },
        { sourceGeneration: o.generation },
      );
      copies.set(o.name, copy);
    }
    for (const o of objects)
      await this.d.backend.deleteObject(src.bucket, o.name, { ifGenerationMatch: o.generation });
    // Files open inside move with the directory.
    for (const e of this.d.writer.under(src.bucket, from)) {
      const copy = copies.get(e.key);
      const key = to + e.key.slice(from.length);
      await this.d.writer.renamed(e, dst.bucket, key, copy, copy?.generation ?? '0');
    }
    for (const [name, copy] of copies)
      this.#follow({ kind: 'entry', bucket: src.bucket, key: name }, dst.bucket, copy.name, copy);
    await this.d.keepParent(src.bucket, src.key);
  }
}
