// In-progress resumable sessions (spec 6.1) and XML multipart uploads (spec 6.2). Their bytes are blobs in
// the store's blob store; the sessions themselves live in memory only, so a restarted emulator forgets
// them, which clients treat as an expired session (404) and restart.

import { randomBytes } from 'node:crypto';
import type { ObjectTemplate } from '../object-template.js';
import type { AppendableBlob } from '../store/blob-store.js';
import type { RunningHash } from '../store/hashing.js';
import type { ObjectRecord } from '../store/records.js';

export interface ResumableSession {
  kind: 'resumable';
  id: string;
  bucket: string;
  name: string;
  template: ObjectTemplate;
  owner: string;
  /** Precondition headers from the start request, re-checked at finalization. */
  preconditionHeaders: Record<string, string>;
  /** The bytes so far, written in place (made at the first chunk with bytes), and how many of them are
   *  persisted (the rest of the last chunk, past a 256 KiB boundary, is written over by the next). */
  blob?: AppendableBlob | undefined;
  persisted: number;
  /** `hash` no longer matches the persisted bytes (a chunk was hashed as it arrived and then not kept
   *  whole): finishing hashes them again from the start. */
  hashBroken: boolean;
  /** The object's size, once a chunk or status query declared it (it may not change after). */
  total?: number;
  /** MD5 and CRC32C of the persisted bytes, fed as each chunk arrives: finishing never re-reads them. */
  hash: RunningHash;
  created: number;
  /** Set once the last byte arrived: later status queries answer 200 with this object. */
  finished?: ObjectRecord;
}

export interface MultipartPart {
  blob: string;
  etag: string;
  size: number;
  modified: number;
}

export interface MultipartUpload {
  kind: 'multipart';
  id: string;
  bucket: string;
  name: string;
  template: ObjectTemplate;
  owner: string;
  parts: Map<number, MultipartPart>;
  created: number;
}

/** An opaque id shaped like the service's (URL-safe, long). */
export function newUploadId(): string {
  return `ADPyc${randomBytes(36).toString('base64url')}`;
}

export class UploadSessions {
  readonly resumable = new Map<string, ResumableSession>();
  readonly multipart = new Map<string, MultipartUpload>();
}
