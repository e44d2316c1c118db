// Streaming uploads (issue 11): a file written sequentially from offset 0 starts uploading while it is
// written, once it passes the single-PUT threshold (smaller files stay one PUT at close). The stream is a
// writeObject of a GrowingSource (storage/backend.ts) that reads the staged file behind the writer: every
// byte is still staged first (the journal, crash recovery and reads of a pending file depend on it), so
// memory stays at the client's two chunks and disk use is what it was. Close ends the source and waits
// for the last chunk only.
// What it deliberately does not do: follow anything but appends. A write elsewhere, a truncate, rename,
// unlink, fsync, a failed write or a failed stream cancels the session (the client DELETEs it) and the
// close uploads the staged file whole, as before (gcsfuse falls back the same way): never a wrong object.
// The stream carries the precondition and metadata the close-time upload would have had when it started;
// metadata that changed by close (the mtime of later writes, chmod, utimens) is applied after it, with a
// metadata update conditioned on the streamed generation (docs/SEMANTICS.md, "Streaming uploads").
// The session and the bytes the store confirmed go into the journal at each confirmed chunk, durably
// (entry.session, marked `streaming`): a crash while the file is still open finds it `open` with the
// session (the replay keeps the file and cancels the session), and a crash after close finds it
// `closing` with the session, which the replay resumes where the store has it.

import type { Logger } from '../../common/logger.js';
import type { GrowingSource, StorageBackend } from '../../storage/backend.js';
import { StorageError, isStorageError } from '../../storage/errors.js';
import type { ObjectMeta } from '../../storage/types.js';
import type { PendingObject } from './pending-object.js';
import type { StagingFile } from './staging-file.js';
import { withPlanMetadata, type UploadPlan } from './write-back.js';

/** The staged file as a growing source: readable up to the bytes whose writes have all completed. */
export class StagedSource implements GrowingSource {
  readonly kind = 'growing';
  #available = 0;
  #total: number | undefined;
  #waiters: (() => void)[] = [];

  constructor(readonly staging: StagingFile) {}

  available(): number {
    return this.#available;
  }

  total(): number | undefined {
    return this.#total;
  }

  grew(available: number): void {
    if (available <= this.#available) return;
    this.#available = available;
    this.#wake();
  }

  end(total: number): void {
    this.#available = total;
    this.#total = total;
    this.#wake();
  }

  async wait(upTo: number, signal?: AbortSignal): Promise<void> {
    while (this.#total === undefined && this.#available < upTo) {
      if (signal?.aborted === true) throw new StorageError('aborted', 'streaming upload aborted');
      // One listener per wait, removed when it ends: a stream waits once per chunk on the same signal.
      let onAbort: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        onAbort = resolve;
        this.#waiters.push(resolve);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const into = Buffer.allocUnsafe(length);
    for (let got = 0; got < length;) {
      const { bytesRead } = await this.staging.handle.read(into, got, length - got, offset + got);
      if (bytesRead === 0) throw new StorageError('integrity', `staged file ended at ${offset + got}`);
      got += bytesRead;
    }
    return into;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** candidate: written sequentially from 0, not yet past the threshold; streaming: a session is open. */
interface Sequential {
  /** Where the next append must start (the end of every write accepted so far). */
  next: number;
  /** Start offsets of the writes under way: bytes from the lowest one on are not readable yet. */
  inFlight: Set<number>;
  stream?: Stream;
}

interface Stream {
  source: StagedSource;
  controller: AbortController;
  plan: UploadPlan;
  result: Promise<ObjectMeta>;
  /** performance.now() at the start (a duration for the debug log). */
  started: number;
  failed?: unknown;
}

export interface StreamUploadsOptions {
  backend: StorageBackend;
  logger: Logger;
  /** Staged bytes past which a stream starts: the client's single-PUT limit (at or below it, one PUT). */
  threshold: number;
  /** The plan the close-time upload would have now (write-back.ts). */
  plan: (entry: PendingObject) => UploadPlan;
  /** Streams open at once (each holds up to two chunks in memory); a file past it uploads at close. */
  maxStreams: number;
  /** Writes the entry's journal record durably (its session confirmed more bytes). */
  journal?: (entry: PendingObject) => Promise<void>;
}

const OFF = 'off';

export class StreamUploads {
  readonly #o: StreamUploadsOptions;
  /** Per pending object: sequential so far, or off until its next upload. */
  readonly #tracks = new WeakMap<PendingObject, Sequential | typeof OFF>();
  #open = 0;

  constructor(o: StreamUploadsOptions) {
    this.#o = o;
  }

  /** Whether the entry has a session open (tests, status). */
  streaming(entry: PendingObject): boolean {
    const t = this.#tracks.get(entry);
    return t !== undefined && t !== OFF && t.stream !== undefined && t.stream.failed === undefined;
  }

  /** A write is about to land in the staged file (`staged`: its size now). Called synchronously before
   *  the write, so concurrent writes are judged in the order they arrived. */
  beforeWrite(entry: PendingObject, staged: number, offset: number, length: number): void {
    let t = this.#tracks.get(entry);
    if (t === undefined) {
      // Only a file whose every byte comes from these writes: none staged yet, the first at offset 0.
      t = staged === 0 && offset === 0 ? { next: 0, inFlight: new Set() } : OFF;
      this.#tracks.set(entry, t);
    }
    if (t === OFF) return;
    if (offset !== t.next) {
      this.cancel(entry, 'a write that is not an append');
      return;
    }
    t.next = offset + length;
    t.inFlight.add(offset);
  }

  /** The write at `offset` has landed (`written` bytes; fewer than asked cannot be followed). */
  afterWrite(
    entry: PendingObject,
    staging: StagingFile,
    offset: number,
    length: number,
    written: number,
  ): void {
    const t = this.#tracks.get(entry);
    if (t === undefined || t === OFF) return;
    t.inFlight.delete(offset);
    if (written !== length) {
      this.cancel(entry, 'a short write');
      return;
    }
    const readable = t.inFlight.size === 0 ? t.next : Math.min(...t.inFlight);
    if (t.stream) t.stream.source.grew(readable);
    else if (readable > this.#o.threshold && !entry.unlinked && !entry.poisoned) {
      if (this.#open < this.#o.maxStreams) this.#start(entry, t, staging);
      else this.#tracks.set(entry, OFF); // memory stays bounded: this one uploads at close
    }
  }

  /** A truncate: to 0 before any stream, the file may still be written sequentially; else no stream. */
  truncated(entry: PendingObject, size: number): void {
    const t = this.#tracks.get(entry);
    if (size === 0 && (t === undefined || (t !== OFF && t.stream === undefined && t.inFlight.size === 0))) {
      this.#tracks.delete(entry);
      return;
    }
    this.cancel(entry, 'a truncate');
  }

  /** Something a stream cannot follow (a rename, unlink, fsync, failed write): the session is cancelled
   *  and the close uploads the staged file whole. */
  cancel(entry: PendingObject, why: string): void {
    const t = this.#tracks.get(entry);
    this.#tracks.set(entry, OFF);
    if (t === undefined || t === OFF || !t.stream) return;
    forgetSession(entry);
    this.#o.logger.info('streaming upload cancelled; the file is uploaded whole at close', {
      object: `gs://${entry.bucket}/${entry.key}`,
      why,
    });
    t.stream.controller.abort();
  }

  /** The close-time upload of `size` staged bytes under `plan`: the stream's result when one is open and
   *  followed every byte (else `whole`, today's upload). Either way the entry starts afresh after it. */
  finish(
    entry: PendingObject,
    plan: UploadPlan,
    size: number,
    whole: () => Promise<ObjectMeta>,
  ): Promise<ObjectMeta> {
    const t = this.#tracks.get(entry);
    this.#tracks.delete(entry);
    if (t === undefined || t === OFF || !t.stream) return whole();
    const s = t.stream;
    const same =
      s.failed === undefined &&
      t.next === size &&
      t.inFlight.size === 0 &&
      s.plan.bucket === plan.bucket &&
      s.plan.key === plan.key &&
      s.plan.ifGenerationMatch === plan.ifGenerationMatch;
    if (!same) {
      s.controller.abort();
      forgetSession(entry);
      return whole();
    }
    s.source.end(size);
    return this.#settle(entry, s, plan, whole);
  }

  async #settle(
    entry: PendingObject,
    s: Stream,
    plan: UploadPlan,
    whole: () => Promise<ObjectMeta>,
  ): Promise<ObjectMeta> {
    let meta: ObjectMeta;
    const closed = performance.now();
    try {
      meta = await s.result;
      this.#o.logger.debug('streamed', {
        object: `gs://${plan.bucket}/${plan.key}`,
        bytes: meta.size,
        ms: Math.round(closed - s.started),
        closeWaitedMs: Math.round(performance.now() - closed),
      });
    } catch (err) {
      // Someone else wrote the object: a whole upload would fail its precondition the same way.
      if (isStorageError(err, 'precondition-failed')) throw err;
      this.#o.logger.warn('streaming upload failed; uploading the file whole', {
        object: `gs://${entry.bucket}/${entry.key}`,
        error: err instanceof Error ? err.message : String(err),
      });
      forgetSession(entry);
      return whole();
    }
    // The mtime of later writes, a chmod or utimens since the stream started: applied after it, only
    // over the generation the stream made.
    const staging = s.source.staging;
    return withPlanMetadata(
      this.#o.backend,
      plan,
      s.plan.writable,
      meta,
      () => staging.source(),
      this.#o.logger,
    );
  }

  #start(entry: PendingObject, t: Sequential, staging: StagingFile): void {
    const plan = this.#o.plan(entry);
    const source = new StagedSource(staging);
    source.grew(t.inFlight.size === 0 ? t.next : Math.min(...t.inFlight));
    const controller = new AbortController();
    const journal = this.#o.journal;
    const result = this.#o.backend.writeObject(plan.bucket, plan.key, source, {
      ...plan.writable,
      ifGenerationMatch: plan.ifGenerationMatch,
      signal: controller.signal,
      resumable: {
        // Journaled (fsynced, in order with the close's records) while the next chunk goes: the writer's
        // pace is not held by an fsync per chunk, and a record a chunk behind is still right (a resume
        // asks the session where it stands; it never trusts the recorded offset).
        onProgress: ({ session, persisted }) => {
          if (controller.signal.aborted) return;
          entry.session = {
            url: session,
            persisted,
            version: entry.version,
            streaming: true,
            writable: plan.writable,
          };
          journal?.(entry).catch((err: unknown) => {
            this.#o.logger.warn('could not journal a streaming upload session', {
              object: `gs://${entry.bucket}/${entry.key}`,
              error: err instanceof Error ? err.message : String(err),
            });
          });
        },
      },
    });
    const stream: Stream = { source, controller, plan, result, started: performance.now() };
    t.stream = stream;
    this.#open++;
    const closed = (): void => {
      this.#open--;
    };
    result.then(closed, closed);
    // A stream that fails while the file is written is left for the close to replace by a whole upload.
    result.catch((err: unknown) => {
      stream.failed = err;
      forgetSession(entry);
      if (controller.signal.aborted) return;
      this.#o.logger.info('streaming upload failed; the file will be uploaded whole at close', {
        object: `gs://${entry.bucket}/${entry.key}`,
        error: err instanceof Error ? err.message : String(err),
      });
    });
    this.#o.logger.debug('streaming upload started', { object: `gs://${plan.bucket}/${plan.key}` });
  }
}

/** The stream's session is no longer the entry's (cancelled, failed, replaced by a whole upload). */
function forgetSession(entry: PendingObject): void {
  if (entry.session?.streaming === true) entry.session = undefined;
}
