// The journal of staged files: each staging file `staging/ID` has a record `staging/ID.json` saying which
// object it is for, the generation it replaces, the metadata its upload carries, its state, and, once a
// resumable upload of it has started, the session and the bytes the store confirmed. record-file.ts
// writes it (in place while a daemon crash is all it must survive; atomically, fsync'd, where a power cut
// must find it: a closed file with --async-uploads, each confirmed chunk). A staged file is never
// anonymous, so after a crash the next start (replay.ts) knows what every staged byte is, and `gcsmount
// recover` can show it.

import { readFile } from 'node:fs/promises';
import { unlinkIfThere } from './staging-file.js';
import type { ObjectMeta, WritableMetadata } from '../../storage/types.js';

export const RECORD_SUFFIX = '.json';

/** open: descriptors may still write (after a crash: possibly half-written, never uploaded as is);
 *  closing: a close is uploading it (after a crash: upload it); queued: closed with --async-uploads, the
 *  upload waits in the queue (fsync'd: after a crash, upload it); failed: the queue gave up on it (after a
 *  crash: keep it); uploaded: the staged bytes are the object at `uploadedGeneration` (nothing to do);
 *  conflict: its upload failed its generation precondition (412: someone else wrote the object; after a
 *  crash: kept as a conflict, never uploaded). */
export type JournalState = 'open' | 'closing' | 'queued' | 'failed' | 'uploaded' | 'conflict';

export interface JournalRecord {
  v: 1;
  bucket: string;
  object: string;
  /** Generation the upload is conditioned on ('0': the object must not exist). */
  baseGeneration: string;
  /** What the upload sets (content type, custom metadata with the POSIX keys, ...). */
  writable: WritableMetadata & { metadata: Record<string, string> };
  state: JournalState;
  uploadedGeneration?: string;
  /** A resumable upload of these bytes has started: its session URL and the bytes the store confirmed, so
   *  a replay resumes it where the store has it (the storage client checks the session's own offset). */
  session?: string;
  persisted?: number;
  /** The metadata that session was started with, when it is not `writable` (a streamed session starts
   *  before the last writes change the mtime): a replay that resumes it then sets `writable`. */
  sessionWritable?: WritableMetadata & { metadata: Record<string, string> };
  size: number;
  /** A `closing` record of a small file: the CRC32C (base64) of the bytes its close uploads, so a replay
   *  never uploads other bytes of the same length (closed-bytes.ts). */
  crc32c?: string;
  updatedAt: string;
}

export function recordPath(stagingPath: string): string {
  return `${stagingPath}${RECORD_SUFFIX}`;
}

export async function removeJournal(stagingPath: string): Promise<void> {
  await unlinkIfThere(recordPath(stagingPath));
}

/** The record of a staging file; undefined when it is missing or unreadable (a crash mid-write). */
export async function readJournal(stagingPath: string): Promise<JournalRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(recordPath(stagingPath), 'utf8')) as Partial<JournalRecord>;
    if (r.v !== 1 || typeof r.bucket !== 'string' || typeof r.object !== 'string') return undefined;
    if (typeof r.baseGeneration !== 'string' || typeof r.state !== 'string' || !r.writable) return undefined;
    if (r.session !== undefined && typeof r.session !== 'string') delete r.session;
    if (r.session === undefined || typeof r.sessionWritable?.metadata !== 'object') delete r.sessionWritable;
    if (r.crc32c !== undefined && typeof r.crc32c !== 'string') delete r.crc32c;
    return r as JournalRecord;
  } catch {
    return undefined;
  }
}

/** The object a record describes, as a pending file shows it (stat, ls) and uploads it again: the
 *  metadata it was to carry, on the generation it replaces. */
export function recordedMeta(r: JournalRecord, size: number): ObjectMeta {
  const updated = new Date(r.updatedAt);
  return {
    ...r.writable,
    bucket: r.bucket,
    name: r.object,
    size,
    generation: r.baseGeneration,
    metageneration: '1',
    updated: Number.isNaN(updated.getTime()) ? new Date(0) : updated,
    etag: '',
    contentType: r.writable.contentType ?? 'application/octet-stream',
    metadata: { ...r.writable.metadata },
  };
}
