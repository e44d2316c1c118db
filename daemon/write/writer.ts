// The write path: what happens to an object between the first write and the upload. It owns the pending
// objects (one per object, shared by its descriptors), stages their bytes (stager.ts; their journal
// records: entry-journal.ts), and decides when to upload
// (through the upload queue: by default close and fsync wait for the upload, and release retries once,
// then keeps the bytes with a record; with --async-uploads close only makes the bytes and their journal
// record durable and the queue uploads after a coalescing delay, fsync still waits), what a failed write
// means (the object is poisoned: nothing incomplete is ever uploaded), and the stop (no new writes, then
// a drain of the queue: stop.ts). An entry lives while descriptors or a queued upload need it; one a
// previous run left is adopted from its record (recovered-entry.ts). The filesystem
// core asks it; it never looks at paths.

import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { ObjectMeta } from '../../storage/types.js';
import { FsError, toFsError } from '../posix/errors.js';
import type { PosixOverrides } from '../posix/attrs.js';
import type { PendingObject } from './pending-object.js';
import { PendingRegistry } from './pending-registry.js';
import { setAside } from './set-aside.js';
import { keepOpenWriters, notUploaded, openWriterFiles, type PendingUpload } from './stop.js';
import { recoveredEntry } from './recovered-entry.js';
import type { JournalRecord } from './journal.js';
import { EntryJournal } from './entry-journal.js';
import { Stager } from './stager.js';
import { Uploader, type UploadPolicy, type UploadStats } from './uploader.js';
import { uploadPlan } from './write-back.js';
import { StreamUploads } from './stream-upload.js';
import { DEFAULT_UPLOAD_THRESHOLDS } from '../../storage/client/uploads.js';

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
  policy?: UploadPolicy;
  clock?: Clock;
  /** Most bytes staged at once, over every pending object (--staging-max-size; 0 or none: no cap). */
  stagingMaxBytes?: number;
  /** Where slots of ended entries wait for new ones (spare-slots.ts; none: every entry creates its own). */
  spareDir?: string;
  /** A file written sequentially from 0 starts uploading once it has staged more than this (default: the
   *  client's single-PUT limit; 0: never stream). Never with async uploads (stream-upload.ts). */
  streamAfter?: number;
}

/** Upload queue figures, and the journal records written (record-file.ts says how). */
export interface WriterStats extends UploadStats {
  journalWrites: number;
}

export type { PendingUpload } from './stop.js';

export class Writer {
  readonly #o: WriterOptions;
  readonly #registry = new PendingRegistry();
  readonly #uploads: Uploader;
  /** Streaming uploads of sequentially written files (undefined: off). */
  readonly #streams: StreamUploads | undefined;
  readonly #journal: EntryJournal;
  readonly #stager: Stager;
  #stopping = false;

  constructor(o: WriterOptions) {
    this.#o = o;
    const journal = (this.#journal = new EntryJournal(o.now));
    this.#stager = new Stager({
      backend: o.backend,
      stagingDir: o.stagingDir,
      journal,
      entries: () => this.#registry.all(),
      maxBytes: o.stagingMaxBytes,
      spareDir: o.spareDir,
    });
    const streamAfter = o.streamAfter ?? DEFAULT_UPLOAD_THRESHOLDS.singleRequestMax;
    this.#streams =
      streamAfter > 0 && o.policy?.async !== true
        ? new StreamUploads({
            backend: o.backend,
            logger: o.logger,
            threshold: streamAfter,
            plan: uploadPlan,
            maxStreams: o.policy?.concurrency ?? 4,
            journal: (entry) => journal.rewrite(entry, true),
          })
        : undefined;
    this.#uploads = new Uploader({
      backend: o.backend,
      logger: o.logger,
      policy: o.policy ?? { concurrency: 4, async: false, delayMs: 0 },
      ...(o.clock ? { clock: o.clock } : {}),
      journal: (entry, state, durable, after) => journal.write(entry, state, entry.staging, durable, after),
      journalLater: (entry, state) => journal.later(entry, state),
      stage: (entry) => this.#stager.stage(entry),
      settled: (entry) => this.#endWhenIdle(entry),
      ...(o.uploaded ? { uploaded: o.uploaded } : {}),
      ...(this.#streams ? { streams: this.#streams } : {}),
    });
  }

  /** Upload queue figures (metrics, status), and the journal records written. */
  stats(): WriterStats {
    return { ...this.#uploads.stats(), journalWrites: this.#journal.writes };
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
        entry.touch(this.#o.now());
        entry.staging = await this.#stager.create(entry);
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

  /** A file a previous run closed and did not upload (replay.ts): pending again under its name, so stat,
   *  ls and reads see its bytes at once, and uploaded in the background through the queue under the
   *  generation its record names (resuming the session it names). `settled` resolves once it is uploaded
   *  or kept; undefined when the name has a pending file already (the caller keeps this one). */
  async adopt(file: string, record: JournalRecord): Promise<{ settled: Promise<void> } | undefined> {
    const entry = await recoveredEntry(this.#registry, file, record, this.#o.now());
    if (!entry) return undefined;
    return { settled: this.#uploads.recovered(entry) };
  }

  /** Cancels the session a record of a previous run names (replay.ts: a file kept, not uploaded). */
  cancelSession(record: JournalRecord & { session: string }): Promise<void> {
    return this.#o.backend.cancelUpload(record.bucket, record.object, record.session);
  }

  /** A read descriptor on an object being written shares its pending bytes. */
  attach(entry: PendingObject): PendingObject {
    entry.refs++;
    return entry;
  }

  async write(entry: PendingObject, data: Buffer, length: number, offset: number): Promise<number> {
    this.#usable(entry);
    await this.quiet(entry);
    try {
      const staging = await this.#stager.stage(entry);
      this.#stager.withinBudget(offset + length - staging.size);
      if (entry.journaled !== 'open') await this.#journal.write(entry, 'open');
      this.#streams?.beforeWrite(entry, staging.size, offset, length);
      const n = await staging.write(data, length, offset);
      this.#streams?.afterWrite(entry, staging, offset, length, n);
      entry.touch(this.#o.now());
      entry.emptiedOnly = false;
      delete entry.posix.mtime; // a write after utimens makes the mtime "now" again
      return n;
    } catch (err) {
      this.#streams?.cancel(entry, 'a write failed');
      throw this.#poison(entry, err);
    }
  }

  async truncate(entry: PendingObject, size: number): Promise<void> {
    this.#usable(entry);
    await this.quiet(entry);
    try {
      const staging = await this.#stager.stage(entry, size);
      if (entry.journaled !== 'open') await this.#journal.write(entry, 'open');
      this.#streams?.truncated(entry, size);
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
    this.#streams?.cancel(entry, 'a rename');
    this.#registry.rekey(entry, bucket, key);
    entry.base = baseGeneration;
    entry.meta = base;
    await this.#journal.write(entry, entry.journaled ?? 'open');
  }

  /** The object's metadata changed remotely by this mount (a new generation with the same bytes). */
  rebased(entry: PendingObject, meta: ObjectMeta): void {
    entry.base = meta.generation;
    entry.meta = meta;
    entry.posix = {}; // only called when nothing is pending: the object's metadata is the truth
  }

  unlinked(entry: PendingObject): void {
    this.#streams?.cancel(entry, 'an unlink');
    this.#registry.unlink(entry);
  }

  /** Waits for the object's upload in flight, if any (a rewrite, a rename: the upload reads the staged
   *  file and is conditioned on the generation before it; neither may change under it). */
  async quiet(entry: PendingObject): Promise<void> {
    while (entry.upload$) await entry.upload$.catch(() => undefined);
  }

  /** close(2) (`close`: maybe not the last, with dup'd descriptors) or fsync(2). By default both upload
   *  the object's changes through the queue and return the result; with --async-uploads a close makes the
   *  staged bytes and a `queued` record durable and returns, and the queue uploads later. A close leaves an
   *  object that was only emptied by O_TRUNC to the last close or an fsync. */
  async flush(entry: PendingObject, why: 'close' | 'sync' = 'sync'): Promise<void> {
    this.#usable(entry);
    if (!entry.dirty || entry.unlinked) return;
    if (why === 'close' && entry.emptiedOnly) return;
    // fsync uploads the staged file whole (and a streamed session cannot be made durable half-way).
    if (why === 'sync') this.#streams?.cancel(entry, 'an fsync');
    if (why === 'close' && this.#uploads.async) await this.#uploads.later(entry);
    else await this.#uploads.now(entry, why);
  }

  /** A descriptor let go. The last one ends the entry unless an upload is queued for it: its bytes are
   *  discarded once uploaded (or unlinked), else kept with a record. */
  async release(entry: PendingObject, wasWriter: boolean): Promise<void> {
    entry.refs--;
    if (wasWriter) entry.writers--;
    const queued = this.#uploads.has(entry);
    // A stop never uploads at release: a close uploads in its flush; a release without one is the unmount.
    if (wasWriter && entry.dirty && !entry.unlinked && !entry.poisoned && !queued && !this.#stopping) {
      // close(2) already reported a failed flush; one more try before the bytes are set aside (a
      // conflict would only fail its precondition again).
      if (entry.state !== 'conflict') await this.flush(entry).catch(() => undefined);
    }
    if (entry.refs > 0) return;
    await this.#endWhenIdle(entry);
  }

  /** Ends an entry nothing refers to, once no upload is queued or running for it. */
  async #endWhenIdle(entry: PendingObject): Promise<void> {
    if (entry.refs > 0 || this.#uploads.has(entry) || entry.upload$ || entry.ended) return;
    entry.ended = true;
    this.#streams?.cancel(entry, 'the file was let go');
    this.#registry.end(entry);
    const staging = entry.staging ?? (await entry.staging$?.catch(() => undefined));
    if (!staging) return;
    if (entry.unlinked || !entry.dirty) {
      // The bytes go before their record: a crash in between leaves a record without a file, which
      // replay deletes, never a staged file no record names (replay would keep it as `no-record`).
      // A slot the journal could rewrite in place is kept for the next new file (spare-slots.ts).
      await this.#stager.discard(staging, !this.#stopping);
      return;
    }
    await this.#journal.forget(staging).catch(() => undefined);
    // setAside removes the journal record as it moves the bytes.
    const atStop = entry.state === 'open' && this.#stopping;
    await setAside(entry, staging, this.#o, atStop ? 'open-at-unmount' : undefined);
  }

  /** Changes not yet uploaded (what a stop has to drain). */
  pending(): PendingUpload[] {
    return notUploaded(this.#registry.all());
  }

  /** Files open for writing with changes no close is uploading (what a plain unmount refuses over). */
  openWriters(): PendingUpload[] {
    return openWriterFiles(this.#registry.all());
  }

  /** A stop: keeps what files still open for writing hold, never uploading it (stop.ts). */
  keepOpenWriters(): Promise<string[]> {
    return keepOpenWriters(this.#registry.all(), this.#o);
  }

  /** Open descriptors on pending objects. */
  openCount(): number {
    return this.#registry.all().reduce((n, e) => n + e.refs, 0);
  }

  /** Uploads every pending change no descriptor is still writing, now (a clean stop: queued ones without
   *  their delay), and waits for uploads in flight; returns what could not be uploaded. */
  async drain(): Promise<{ uploaded: number; failed: string[] }> {
    const dirty = this.#registry
      .all()
      .filter((e) => e.upload$ !== undefined || (e.dirty && !e.unlinked && !e.poisoned && e.writers === 0));
    // All at once: the queue bounds the concurrency and starts queued ones without their delay.
    const results = await Promise.allSettled(dirty.map((e) => this.flush(e)));
    await this.#uploads.drain();
    await this.#stager.clearSpares(); // a stop keeps none (entries ending from now on discard theirs)
    const failed = dirty
      .filter((_, i) => results[i]?.status === 'rejected')
      .map((e) => `gs://${e.bucket}/${e.key}`);
    return { uploaded: dirty.length - failed.length, failed };
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
}
