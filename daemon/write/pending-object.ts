// The write state of one object, shared by every descriptor open on it (write state belongs to the
// object, not to the descriptor): the staged bytes, the generation they replace, the POSIX attributes to
// apply with the upload, and what happened to the name (renamed: re-keyed by the registry; unlinked: kept
// for the descriptors still open, never uploaded). A write that failed poisons the object: its staged
// bytes are incomplete, so no close or fsync may upload them.

import type { Generation, ObjectMeta, WritableMetadata } from '../../storage/types.js';
import type { FsError } from '../posix/errors.js';
import type { PosixOverrides } from '../posix/attrs.js';
import type { ClosedBytes } from './closed-bytes.js';
import type { JournalState } from './journal.js';
import type { StagingFile } from './staging-file.js';

/** open: descriptors may write; closing: a close waits for its upload; queued: closed, its upload waits
 *  in the queue (async mode, or behind another upload of the object); uploading; uploaded; failed and
 *  conflict: the last upload failed (a 412 for conflict), the bytes stay for a retry or recovery. */
export type PendingState = 'open' | 'closing' | 'queued' | 'uploading' | 'uploaded' | 'failed' | 'conflict';

/** A resumable session of the entry's bytes, as the journal records it. */
export interface UploadSession {
  url: string;
  /** Bytes the store confirmed. */
  persisted: number;
  /** The version of the bytes it uploads (a streamed one: the version when the store last confirmed). */
  version: number;
  /** A streaming upload of this run owns it (stream-upload.ts): it follows every append, so later
   *  versions are still its bytes; the stream forgets it when it ends or is cancelled. */
  streaming?: boolean;
  /** The metadata the session was started with, when the upload's plan may differ (a streamed session
   *  starts before the last writes change the mtime): the object gets it, then the plan's metadata. */
  writable?: WritableMetadata & { metadata: Record<string, string> };
}

let nextId = 0;

export class PendingObject {
  /** Identity in the upload queue (a rename changes the name, not the object). */
  readonly id = `p${++nextId}`;
  /** The message of the last failed upload (what a kept record says). */
  lastError?: string | undefined;
  /** Bumped by every change to the staged bytes, so an upload knows whether it caught the last one. */
  version = 0;
  /** Version of the bytes last uploaded (or of the base, when nothing was written yet). */
  uploadedVersion = 0;
  state: PendingState = 'open';
  /** Unlinked while open: the descriptors keep working on it, nothing is uploaded. */
  unlinked = false;
  /** The first write error: the staged bytes are incomplete, and close/fsync report this error. */
  poisoned?: FsError;
  /** Emptied by O_TRUNC and not written since: an upload now would replace a good object with nothing
   *  before the writer's bytes arrive (a shell's `>` closes a dup of the descriptor first), so only an
   *  fsync or the last close uploads it. */
  emptiedOnly = false;
  /** The state its journal record says (undefined: no record yet). */
  journaled?: JournalState | undefined;
  /** Replayed from the journal of a run that died: its last attempt's outcome is unknown (a 412 may be
   *  that attempt, stored though the crash came before its answer was recorded). */
  recovered = false;
  /** Ended: out of the registry, its staged bytes discarded or kept (it happens once). */
  ended = false;
  /** Descriptors pointing here (read and write). */
  refs = 0;
  /** Of those, the ones open for writing (a stop keeps, never uploads, what they hold: stop.ts). */
  writers = 0;
  /** POSIX attributes set while pending (chmod, chown, utimens), written with the upload. */
  posix: PosixOverrides = {};
  /** Local modification time (what stat shows while the bytes are not uploaded). */
  mtime: Date;
  staging?: StagingFile;
  /** The staging file being prepared (first write or truncate), so concurrent writes wait for one. */
  staging$?: Promise<StagingFile> | undefined;
  /** A resumable upload of the bytes at `version` started (by this run or, replayed, by the one before):
   *  the next attempt resumes it where the store has it. Any change to the bytes forgets it. */
  session?: UploadSession | undefined;
  /** A small file's bytes as its close read them (closed-bytes.ts), until its upload ends. */
  closed?: ClosedBytes | undefined;
  /** The upload in flight, so a second flush waits for it instead of racing it. */
  upload$?: Promise<ObjectMeta> | undefined;

  constructor(
    public bucket: string,
    public key: string,
    /** The generation the staged bytes replace ('0': the object did not exist); after an upload, the
     *  uploaded generation. Every upload is conditioned on it. */
    public base: Generation,
    /** Metadata of the base object (content type, custom metadata and POSIX attributes carry over). */
    public meta: ObjectMeta | undefined,
    now: Date,
  ) {
    this.mtime = now;
  }

  get dirty(): boolean {
    return this.version !== this.uploadedVersion;
  }

  /** Size as a reader sees it: the staged bytes, else the base object. */
  get size(): number {
    return this.staging?.size ?? this.meta?.size ?? 0;
  }

  touch(now: Date): void {
    this.version++;
    this.mtime = now;
  }
}
