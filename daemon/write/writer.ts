// The write path: what happens to an object between the first write and the upload. It owns the pending
// objects (one per object, shared by its descriptors), stages their bytes, and decides when to upload
// (flush and fsync wait for the upload; release retries once, then keeps the bytes with a record), what a
// failed write means (the object is poisoned: nothing incomplete is ever uploaded), and the stop (no new
// writes, then a drain). The filesystem core asks it; it never looks at paths.

import type { Logger } from '../../common/logger.js';
import { isStorageError } from '../../storage/errors.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { ObjectMeta } from '../../storage/types.js';
import { FsError, toFsError } from '../fs/errors.js';
import type { PosixOverrides } from '../fs/posix-attrs.js';
import type { PendingObject } from './pending-object.js';
import { PendingRegistry } from './pending-registry.js';
import { StagingFile } from './staging-file.js';
import { removeJournal, writeJournal, type JournalState } from './journal.js';
import { upload, uploadPlan } from './write-back.js';
import { keepEntry, keepOpenWriters, openForWriting } from './stop.js';

export interface WriterOptions {
  backend: StorageBackend;
  /** Where staged bytes live while pending. */
  stagingDir: string;
  /** Where the bytes of failed uploads are kept, with a record each (kept-files.ts). */
  keepDir: string;
  logger: Logger;
  now: () => Date;
  /** An upload finished: the name is now known to be a file (the type cache learns it). */
  uploaded?: (bucket: string, key: string) => void;
}

export interface PendingUpload {
  object: string;
  bytes: number;
}

export class Writer {
  readonly #o: WriterOptions;
  readonly #registry = new PendingRegistry();
  #stopping = false;

  constructor(o: WriterOptions) {
    this.#o = o;
  }

  /** The pending object of a name, if any (stat, readdir and reads ask here first). */
  find(bucket: string, key: string): PendingObject | undefined {
    return this.#registry.get(bucket, key);
  }

  /** Pending objects named under `prefix` (files a listing cannot show yet). */
  under(bucket: string, prefix: string): PendingObject[] {
    return this.#registry.under(bucket, prefix);
  }

  /** From now on new writes are refused (a stop is draining). */
  stopAccepting(): void {
    this.#stopping = true;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  #admit(): void {
    if (this.#stopping) throw new FsError('read-only', 'the mount is stopping: no new writes');
  }

  /** O_CREAT of a name that does not exist: a new, empty object that will be uploaded at close. */
  async create(bucket: string, key: string, mode: number): Promise<PendingObject> {
    this.#admit();
    const { entry, created } = this.#registry.obtain(bucket, key, '0', undefined, this.#o.now());
    entry.refs++;
    try {
      if (created) {
        entry.posix.mode = mode;
        entry.staging = await StagingFile.create(this.#o.stagingDir);
        entry.touch(this.#o.now());
        await this.#journal(entry, 'open');
      } else {
        await this.truncate(entry, 0);
      }
    } catch (err) {
      await this.release(entry, false);
      throw toFsError(err);
    }
    entry.writers++;
    return entry;
  }

  /** Opens an object for writing (`meta`: the object as looked up; undefined only for a pending one). */
  async open(
    bucket: string,
    key: string,
    meta: ObjectMeta | undefined,
    truncate: boolean,
  ): Promise<PendingObject> {
    this.#admit();
    const { entry } = this.#registry.obtain(bucket, key, meta?.generation ?? '0', meta, this.#o.now());
    entry.refs++;
    if (truncate) {
      try {
        await this.truncate(entry, 0);
        entry.emptiedOnly = entry.base !== '0';
      } catch (err) {
        await this.release(entry, false);
        throw toFsError(err);
      }
    }
    entry.writers++;
    return entry;
  }

  /** A read descriptor on an object being written shares its pending bytes. */
  attach(entry: PendingObject): PendingObject {
    entry.refs++;
    return entry;
  }

  async write(entry: PendingObject, data: Buffer, length: number, offset: number): Promise<number> {
    this.#usable(entry);
    try {
      const staging = await this.#stage(entry);
      if (entry.journaled !== 'open') await this.#journal(entry, 'open');
      const n = await staging.write(data, length, offset);
      entry.touch(this.#o.now());
      entry.emptiedOnly = false;
      delete entry.posix.mtime; // a write after utimens makes the mtime "now" again
      return n;
    } catch (err) {
      throw this.#poison(entry, err);
    }
  }

  async truncate(entry: PendingObject, size: number): Promise<void> {
    this.#usable(entry);
    try {
      const staging = await this.#stage(entry, size);
      if (entry.journaled !== 'open') await this.#journal(entry, 'open');
      await staging.truncate(size);
      entry.touch(this.#o.now());
      entry.emptiedOnly = false;
      delete entry.posix.mtime;
    } catch (err) {
      throw this.#poison(entry, err);
    }
  }

  /** Bytes of the pending object, when it has staged any (else undefined: read the base object). */
  async read(
    entry: PendingObject,
    into: Buffer,
    length: number,
    offset: number,
  ): Promise<number | undefined> {
    const staging = entry.staging ?? (entry.staging$ ? await entry.staging$ : undefined);
    return staging?.read(into, length, offset);
  }

  /** chmod/chown/utimens while pending: applied with the upload that is coming anyway. */
  setPosix(entry: PendingObject, p: PosixOverrides): void {
    Object.assign(entry.posix, p);
  }

  /** The object was renamed (its base copied to the new name as `base`, or nothing remote to copy). */
  async renamed(
    entry: PendingObject,
    bucket: string,
    key: string,
    base: ObjectMeta | undefined,
    baseGeneration: string,
  ): Promise<void> {
    this.#registry.rekey(entry, bucket, key);
    entry.base = baseGeneration;
    entry.meta = base;
    await this.#journal(entry, entry.journaled ?? 'open');
  }

  /** The object's metadata changed remotely by this mount (a new generation with the same bytes). */
  rebased(entry: PendingObject, meta: ObjectMeta): void {
    entry.base = meta.generation;
    entry.meta = meta;
    entry.posix = {}; // only called when nothing is pending: the object's metadata is the truth
  }

  unlinked(entry: PendingObject): void {
    this.#registry.unlink(entry);
  }

  /** Uploads the object if it has changes; waits for an upload in flight. Errors reach close/fsync.
   *  `close`: a close(2) that may not be the last (dup'd descriptors), which leaves an object that was
   *  only emptied by O_TRUNC to the last close or an fsync. */
  async flush(entry: PendingObject, why: 'close' | 'sync' = 'sync'): Promise<void> {
    this.#usable(entry);
    while (entry.upload$) await entry.upload$.catch(() => undefined);
    if (!entry.dirty || entry.unlinked) return;
    if (why === 'close' && entry.emptiedOnly) return;
    const staging = entry.staging ?? (await this.#stage(entry));
    const version = entry.version;
    const applied = { ...entry.posix };
    entry.state = 'uploading';
    // A crash from here on finds a closed file to upload, not a half-written one to keep.
    await this.#journal(entry, 'closing');
    const sending = upload(this.#o.backend, uploadPlan(entry), staging.source(), this.#o.logger);
    entry.upload$ = sending;
    try {
      const meta = await sending;
      entry.base = meta.generation;
      entry.meta = meta;
      entry.uploadedVersion = version;
      // The object carries them now; what was set during the upload stays for the next one.
      entry.posix = Object.fromEntries(
        Object.entries(entry.posix).filter(([k, v]) => applied[k as keyof PosixOverrides] !== v),
      );
      this.#o.uploaded?.(entry.bucket, entry.key);
      entry.state = entry.version === version ? 'uploaded' : 'open';
      if (entry.version === version) await this.#journal(entry, 'uploaded');
    } catch (err) {
      const conflict = isStorageError(err, 'precondition-failed');
      entry.state = conflict ? 'conflict' : 'failed';
      // A conflict is never retried (the same precondition fails again) and never clobbers the remote.
      if (conflict)
        this.#o.logger.warn(
          'the object changed in the bucket since it was opened: not overwritten (ESTALE); the bytes are kept',
          { object: `gs://${entry.bucket}/${entry.key}`, base: entry.base },
        );
      await this.#journal(entry, conflict ? 'conflict' : 'open').catch(() => undefined);
      throw toFsError(err);
    } finally {
      entry.upload$ = undefined;
    }
  }

  /** A descriptor let go. The last one ends the entry: its bytes are discarded once uploaded (or
   *  unlinked), else kept with a record. */
  async release(entry: PendingObject, wasWriter: boolean): Promise<void> {
    entry.refs--;
    if (wasWriter) entry.writers--;
    // A stop never uploads at release: a close uploads in its flush; a release without one is the unmount.
    if (wasWriter && entry.dirty && !entry.unlinked && !entry.poisoned && !this.#stopping) {
      // close(2) already reported a failed flush; one more try before the bytes are set aside.
      if (entry.state !== 'conflict') await this.flush(entry).catch(() => undefined);
    }
    if (entry.refs > 0) return;
    this.#registry.end(entry);
    const staging = entry.staging ?? (await entry.staging$?.catch(() => undefined));
    if (!staging) return;
    if (entry.unlinked || !entry.dirty) {
      await removeJournal(staging.path).catch(() => undefined);
      await staging.discard();
      return;
    }
    const reason = entry.poisoned
      ? 'write-failed'
      : entry.state === 'conflict'
        ? 'conflict'
        : entry.state === 'open' && this.#stopping
          ? 'open-at-unmount'
          : 'upload-failed';
    await keepEntry(entry, staging, reason, entry.poisoned?.message ?? `upload ${entry.state}`, this.#o);
  }

  /** Changes not yet uploaded (what a stop has to drain). */
  pending(): PendingUpload[] {
    return this.#registry
      .all()
      .filter((e) => e.dirty && !e.unlinked && !e.poisoned)
      .map((e) => ({ object: `gs://${e.bucket}/${e.key}`, bytes: e.size }));
  }

  /** Open descriptors on pending objects. */
  openCount(): number {
    return this.#registry.all().reduce((n, e) => n + e.refs, 0);
  }

  /** Files open for writing with changes no close is uploading (what a plain unmount refuses over). */
  openWriters(): PendingUpload[] {
    return this.#registry
      .all()
      .filter((e) => openForWriting(e) && e.dirty)
      .map((e) => ({ object: `gs://${e.bucket}/${e.key}`, bytes: e.size }));
  }

  /** A stop: keeps what files still open for writing hold, never uploading it (stop.ts). */
  keepOpenWriters(): Promise<string[]> {
    return keepOpenWriters(this.#registry.all(), this.#o);
  }

  /** Uploads every pending change no descriptor is still writing, and waits for uploads in flight (a
   *  close or fsync uploading); returns what could not be uploaded. */
  async drain(): Promise<{ uploaded: number; failed: string[] }> {
    let uploaded = 0;
    const failed: string[] = [];
    for (const e of this.#registry.all()) {
      const inFlight = e.upload$;
      if (!inFlight && (!e.dirty || e.unlinked || e.poisoned || e.writers > 0)) continue;
      try {
        await (inFlight ?? this.flush(e));
        uploaded++;
      } catch {
        failed.push(`gs://${e.bucket}/${e.key}`);
      }
    }
    return { uploaded, failed };
  }

  /** Writes the journal record of the entry's staging file (nothing to record before it has one). */
  async #journal(entry: PendingObject, state: JournalState, staging = entry.staging): Promise<void> {
    if (!staging) return;
    const plan = uploadPlan(entry);
    await writeJournal(
      staging.path,
      {
        v: 1,
        bucket: plan.bucket,
        object: plan.key,
        baseGeneration: plan.ifGenerationMatch,
        writable: plan.writable,
        state,
        ...(state === 'uploaded' ? { uploadedGeneration: entry.base } : {}),
        size: staging.size,
        updatedAt: this.#o.now().toISOString(),
      },
      false,
    );
    entry.journaled = state;
  }

  #usable(entry: PendingObject): void {
    if (entry.poisoned) throw entry.poisoned;
  }

  #poison(entry: PendingObject, err: unknown): FsError {
    const e = toFsError(err);
    // A base that vanished or changed is a conflict, not a broken write: nothing was staged from it.
    if (e.code === 'stale') return e;
    entry.poisoned = e;
    this.#o.logger.error('a write failed; this file will not be uploaded', {
      object: `gs://${entry.bucket}/${entry.key}`,
      error: e.message,
    });
    return e;
  }

  /** Makes sure the entry has a staging file holding its base's bytes, up to `upTo` (a truncate needs
   *  no more: O_TRUNC and truncate -s 0 download nothing). */
  async #stage(entry: PendingObject, upTo?: number): Promise<StagingFile> {
    if (entry.staging) return entry.staging;
    entry.staging$ ??= this.#fill(entry, upTo);
    try {
      entry.staging = await entry.staging$;
      return entry.staging;
    } finally {
      entry.staging$ = undefined;
    }
  }

  async #fill(entry: PendingObject, upTo?: number): Promise<StagingFile> {
    const staging = await StagingFile.create(this.#o.stagingDir);
    const size = Math.min(entry.meta?.size ?? 0, upTo ?? Infinity);
    try {
      await this.#journal(entry, 'open', staging);
      if (entry.base !== '0' && size > 0) {
        const { body } = await this.#o.backend.readObject(entry.bucket, entry.key, {
          generation: entry.base,
          range: { start: 0, end: size - 1 },
        });
        await staging.fill(body);
      }
    } catch (err) {
      await removeJournal(staging.path).catch(() => undefined);
      await staging.discard();
      if (isStorageError(err, 'not-found') || isStorageError(err, 'precondition-failed')) {
        throw new FsError('stale', `gs://${entry.bucket}/${entry.key} changed since it was opened`, {
          cause: err,
        });
      }
      throw err;
    }
    return staging;
  }
}
