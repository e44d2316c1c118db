// When and how a pending object's bytes go up: every upload passes through the upload queue
// (upload-queue.ts: bounded concurrency, one upload per object at a time, coalescing, retries). A waited
// upload (default-mode close, fsync, a stop) gets one attempt of the queue (the storage client has
// retried each request already) and its caller learns the result; a background one (an async close) gets
// a few, after the coalescing delay, and a give-up is logged, counted and recorded (journal `failed`),
// the bytes kept for recovery. One attempt uploads what the entry holds when it starts, so a file
// rewritten while it waited is uploaded once. The writer (writer.ts) owns the entries and their staged
// bytes; this file owns the uploads of them.

import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { isTransient } from '../../storage/client/retry-policy.js';
import { isStorageError } from '../../storage/errors.js';
import type { ResumableHooks, StorageBackend } from '../../storage/backend.js';
import { toFsError } from '../posix/errors.js';
import type { PosixOverrides } from '../posix/attrs.js';
import type { JournalState } from './journal.js';
import type { PendingObject } from './pending-object.js';
import type { StagingFile } from './staging-file.js';
import { adoptIfOurs } from './lost-attempt.js';
import { UploadQueue, type QueueStats } from './upload-queue.js';
import { upload, uploadPlan, withPlanMetadata, type UploadPlan } from './write-back.js';
import type { StreamUploads } from './stream-upload.js';
import type { ObjectMeta } from '../../storage/types.js';
import { closedBytes, SMALL_UPLOAD } from './closed-bytes.js';

/** How uploads are scheduled (the --upload-concurrency, --async-uploads and --upload-delay flags). */
export interface UploadPolicy {
  concurrency: number;
  /** close returns once the bytes and the record are durable; the queue uploads later. */
  async: boolean;
  /** Async mode: how long a closed file waits before its upload (a rewrite in this time restarts it). */
  delayMs: number;
  /** Async mode: whole-upload attempts after the client's own retries gave up on a transient failure. */
  attempts?: number;
}

export interface UploadStats extends QueueStats {
  uploadedBytes: number;
  uploadedFiles: number;
  /** Uploads that ended in an error (a close or fsync got it, or, async, the queue gave up). */
  failures: number;
}

export interface UploaderDeps {
  backend: StorageBackend;
  logger: Logger;
  policy: UploadPolicy;
  clock?: Clock;
  /** Writes the entry's journal record (durable: fsync'd, with its directory; found only once `after`,
   *  the data's fsync, is done). */
  journal(
    entry: PendingObject,
    state: JournalState,
    durable?: boolean,
    after?: Promise<unknown>,
  ): Promise<void>;
  /** Writes it a moment later, unless another write or the entry's end comes first. */
  journalLater(entry: PendingObject, state: JournalState): void;
  /** The entry's staging file (made and filled from its base if it has none yet). */
  stage(entry: PendingObject): Promise<StagingFile>;
  /** Nothing is queued or running for the entry any more: the writer may end it. */
  settled(entry: PendingObject): Promise<void>;
  /** An upload finished (the type cache learns the name is a file). */
  uploaded?: (bucket: string, key: string) => void;
  /** Streaming uploads (stream-upload.ts): a close finishes the entry's stream, or uploads whole. */
  streams?: Pick<StreamUploads, 'finish'>;
}

export class Uploader {
  readonly #d: UploaderDeps;
  readonly #queue: UploadQueue<void>;
  #uploadedBytes = 0;
  #uploadedFiles = 0;
  #failures = 0;

  constructor(d: UploaderDeps) {
    this.#d = d;
    this.#queue = new UploadQueue<void>({
      concurrency: d.policy.concurrency,
      clock: d.clock ?? systemClock,
      // A 412 or a local error would fail again; a long outage the client gave up on may pass.
      retryable: (err) => isStorageError(err) && isTransient(err),
      onRetry: (object, attempt, delayMs, err) => {
        d.logger.warn('upload failed; it will be tried again', {
          object,
          attempt,
          delayMs,
          error: toFsError(err).message,
        });
      },
    });
  }

  get async(): boolean {
    return this.#d.policy.async;
  }

  stats(): UploadStats {
    return {
      ...this.#queue.stats(),
      uploadedBytes: this.#uploadedBytes,
      uploadedFiles: this.#uploadedFiles,
      failures: this.#failures,
    };
  }

  /** Whether an upload of the entry is queued or running. */
  has(entry: PendingObject): boolean {
    return this.#queue.has(entry.id);
  }

  /** Uploads the entry now and returns the result (default-mode close, fsync, a stop). */
  async now(entry: PendingObject, why: 'close' | 'sync' = 'sync'): Promise<void> {
    entry.state = 'closing';
    try {
      // Closed, maybe waiting for a slot: once this is written a crash finds a file to upload, not one to
      // keep. Not awaited: the upload's own write of it (#upload) follows in the record's order, and
      // reports a failure.
      if (entry.journaled !== 'closing' && entry.journaled !== 'queued') {
        // A small file's record names its bytes' CRC32C (closed-bytes.ts); the PUT sends what was read.
        if (entry.staging) await closedBytes(entry, entry.staging).catch(() => undefined);
        this.#d.journal(entry, 'closing').catch(() => undefined);
      }
      await this.#enqueue(entry, true, 0, why === 'close');
    } catch (err) {
      throw toFsError(err);
    }
  }

  /** An async close: the staged bytes and a `queued` record are made durable, then the queue uploads
   *  after the coalescing delay. Resolves once durable. */
  async later(entry: PendingObject): Promise<void> {
    const staging = await this.#d.stage(entry);
    // The bytes' fsync and the record's run at once; the record is renamed into place only once the
    // bytes are down (record-file.ts).
    const synced = staging.handle.sync();
    await Promise.all([synced, this.#d.journal(entry, 'queued', true, synced)]);
    entry.state = 'queued';
    this.#enqueue(entry, false, this.#d.policy.delayMs).catch((err: unknown) => this.#gaveUp(entry, err));
  }

  /** A file a previous run closed and did not upload (replay): uploaded in the background like an async
   *  close's, without the delay, and kept for recovery if the queue gives up. Resolves once settled. */
  async recovered(entry: PendingObject): Promise<void> {
    entry.state = 'queued';
    try {
      await this.#enqueue(entry, false, 0);
      this.#d.logger.info('recovered: uploaded a file closed before the last stop', {
        object: `gs://${entry.bucket}/${entry.key}`,
        bytes: entry.meta?.size ?? entry.size,
      });
    } catch (err) {
      await this.#gaveUp(entry, err);
    }
  }

  /** A stop: every queued upload starts without its delay; resolves when the queue is empty. */
  async drain(): Promise<void> {
    this.#queue.hurry();
    await this.#queue.idle();
  }

  /** `closing`: a close's upload, whose release usually follows at once (its `uploaded` record waits). */
  #enqueue(entry: PendingObject, urgent: boolean, delayMs: number, closing = false): Promise<void> {
    const attempts = urgent ? 1 : (this.#d.policy.attempts ?? UploadQueue.DEFAULT_ATTEMPTS);
    return this.#queue.enqueue(
      entry.id,
      {
        run: (attempt) => this.#upload(entry, urgent, attempt, closing),
        bytes: () => entry.size,
        name: () => `gs://${entry.bucket}/${entry.key}`,
      },
      { delayMs, attempts },
    );
  }

  /** One upload attempt of what the entry holds now (a queued one may have been rewritten, renamed or
   *  unlinked since it was asked for). */
  async #upload(entry: PendingObject, urgent: boolean, attempt = 1, closing = false): Promise<void> {
    if (!entry.dirty || entry.unlinked || entry.poisoned) return;
    // Written again since its async close: that file's next close queues it again (never half a rewrite).
    if (!urgent && entry.journaled === 'open') return;
    const staging = await this.#d.stage(entry);
    const version = entry.version;
    const applied = { ...entry.posix };
    entry.state = 'uploading';
    const closed = await closedBytes(entry, staging).catch(() => undefined);
    // Once this is written a crash finds a closed file to upload, not a half-written one to keep (skipped
    // when the record says so already: entry-journal.ts). It is written while the bytes go up: a crash
    // before it is down finds the file `open` and keeps it (nothing is lost), and a small file's close
    // does not wait for four file operations before its PUT.
    const recorded =
      entry.journaled !== 'queued'
        ? this.#d.journal(entry, 'closing').then(
            () => undefined,
            (err: unknown) => err,
          )
        : undefined;
    const plan = uploadPlan(entry);
    const source = staging.source();
    // A session resumed from an earlier attempt (or a streamed one the dead run started) carries the
    // metadata it was started with: the object gets it, then the plan's.
    const prior =
      entry.session?.streaming !== true && entry.session?.version === version ? entry.session : undefined;
    const sent: UploadPlan = prior?.writable ? { ...plan, writable: prior.writable } : plan;
    const resumable = this.#resumable(entry, version, prior, sent);
    const whole = async (): Promise<ObjectMeta> => {
      // A small file goes as a Buffer read through the open descriptor: no second open, no stream.
      const body =
        closed?.version === version
          ? closed.bytes
          : source.size <= SMALL_UPLOAD
            ? await staging.bytes()
            : source;
      const meta = await upload(this.#d.backend, sent, body, this.#d.logger, resumable);
      return withPlanMetadata(this.#d.backend, plan, sent.writable, meta, () => source, this.#d.logger);
    };
    const started = this.#d.streams ? this.#d.streams.finish(entry, plan, source.size, whole) : whole();
    const sending = started.catch(async (err: unknown) => {
      // A retry's 412 may be our own earlier attempt, stored though its answer was lost (or, replayed,
      // the dead run's last attempt, before or after it set the plan's metadata).
      if ((attempt === 1 && !entry.recovered) || !isStorageError(err, 'precondition-failed')) throw err;
      const bySent = await adoptIfOurs(this.#d.backend, sent, source);
      const ours = bySent ?? (sent === plan ? undefined : await adoptIfOurs(this.#d.backend, plan, source));
      if (!ours) throw err;
      this.#d.logger.info('upload settled: an earlier attempt had stored it', {
        object: `gs://${plan.bucket}/${plan.key}`,
      });
      return bySent
        ? withPlanMetadata(this.#d.backend, plan, sent.writable, bySent, () => source, this.#d.logger)
        : ours;
    });
    entry.upload$ = sending;
    let settles = urgent; // a background failure is settled by the retry or the give-up
    try {
      const meta = await sending;
      const unrecorded = await recorded;
      if (unrecorded !== undefined) {
        // Uploaded all the same: the record only mattered had the mount died during the upload.
        this.#d.logger.warn('could not write the journal record of an upload (it succeeded)', {
          object: `gs://${entry.bucket}/${entry.key}`,
          error: toFsError(unrecorded).message,
        });
      }
      entry.base = meta.generation;
      entry.meta = meta;
      entry.uploadedVersion = version;
      entry.lastError = undefined;
      entry.session = undefined;
      this.#uploadedBytes += meta.size;
      this.#uploadedFiles++;
      // The object carries them now; what was set during the upload stays for the next one.
      entry.posix = Object.fromEntries(
        Object.entries(entry.posix).filter(([k, v]) => applied[k as keyof PosixOverrides] !== v),
      );
      this.#d.uploaded?.(entry.bucket, entry.key);
      entry.state = entry.version === version ? 'uploaded' : 'open';
      // After a close the release that follows at once removes the record: an `uploaded` record would
      // be written only to be deleted (a crash before it finds `closing`, and the replay settles the
      // object as its own upload).
      if (entry.version === version && closing) this.#d.journalLater(entry, 'uploaded');
      else if (entry.version === version) await this.#d.journal(entry, 'uploaded');
      settles = true;
    } catch (err) {
      await recorded; // the state written next must follow it
      const conflict = isStorageError(err, 'precondition-failed');
      entry.state = conflict ? 'conflict' : 'failed';
      entry.lastError = toFsError(err).message;
      // The client cancels a session it gives up on; a conflict's would fail again.
      entry.session = undefined;
      // A conflict is never retried (the same precondition fails again) and never clobbers the remote.
      if (conflict) {
        this.#d.logger.warn(
          'the object changed in the bucket since it was opened: not overwritten (ESTALE); the bytes are kept',
          { object: `gs://${entry.bucket}/${entry.key}`, base: entry.base },
        );
      }
      if (urgent) {
        this.#failures++;
        await this.#d.journal(entry, conflict ? 'conflict' : 'failed').catch(() => undefined);
      } else {
        entry.state = 'queued'; // the queue may try again; a crash now still uploads it
      }
      throw err; // the queue tells a transient error by its storage code
    } finally {
      entry.upload$ = undefined;
      entry.closed = undefined; // sent or not, the next attempt reads them again
      // After the queue has settled this job (it runs its callbacks first), the entry may end.
      if (settles) setImmediate(() => void this.#d.settled(entry));
    }
  }

  /** A large upload's session: resumed when an earlier attempt (maybe of a run that died) started one for
   *  these very bytes; each confirmed chunk is written to the journal, durably, before the next is sent. */
  #resumable(
    entry: PendingObject,
    version: number,
    resumed: PendingObject['session'],
    sent: UploadPlan,
  ): ResumableHooks {
    let told = false;
    return {
      ...(resumed ? { session: resumed.url } : {}),
      onProgress: async ({ session, persisted }) => {
        if (resumed && !told && session === resumed.url) {
          this.#d.logger.info('resumed an upload where the store had it', {
            object: `gs://${entry.bucket}/${entry.key}`,
            from: persisted,
          });
        }
        told = true;
        entry.session = { url: session, persisted, version, writable: sent.writable };
        await this.#d.journal(entry, entry.journaled === 'queued' ? 'queued' : 'closing', true);
      },
    };
  }

  /** The queue gave up on a background upload: logged, counted, recorded; kept once nothing holds it. */
  async #gaveUp(entry: PendingObject, err: unknown): Promise<void> {
    this.#failures++;
    const e = toFsError(err);
    const state = isStorageError(err, 'precondition-failed') || e.code === 'stale' ? 'conflict' : 'failed';
    entry.state = state;
    entry.lastError = e.message;
    this.#d.logger.error('a background upload failed; the bytes are kept for recovery', {
      object: `gs://${entry.bucket}/${entry.key}`,
      state,
      error: e.message,
    });
    await this.#d.journal(entry, state, true).catch(() => undefined);
    await this.#d.settled(entry);
  }
}
