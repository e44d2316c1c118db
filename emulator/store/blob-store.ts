// Where object bytes live. Blobs are immutable and named by a random id; an object record points at one.
// Writing a blob and publishing the record that names it are separate steps, so a failed or cut upload
// leaves no visible trace (the record is the commit point).

import type { Readable } from 'node:stream';
import type { BlobInfo } from './records.js';

/** What a write or concat hashes: both hashes by default; `md5: false` CRC32C only (its md5 is '': for
 *  composite objects, which have none, and resumable chunks, hashed by their session); `known`: the
 *  caller has both already (a finished resumable session), so the bytes are only copied. */
export interface HashOptions {
  md5?: boolean;
  known?: { md5: string; crc32c: string };
}

/** A blob written in place at increasing offsets, neither visible nor durable until committed: a resumable
 *  session's bytes. One file (or buffer list) takes every chunk, so finishing the session moves it instead
 *  of copying each chunk into a new blob, and chunks are not fsynced one by one (a session does not survive
 *  a restart anyway; the committed blob is durable). */
export interface AppendableBlob {
  /** Writes the body's bytes, less its first `skip`, from offset `at` (dropping whatever was held at and
   *  past `at`), handing each written piece to `tap` in order first (to hash it); resolves with the body's
   *  whole length. Rejects if the body errors, when the bytes past `at` are undefined until the next
   *  write there. */
  write(body: Readable, at: number, skip: number, tap?: (piece: Buffer) => Promise<void>): Promise<number>;
  /** Bytes [start, end) of what was written (below the last write's `at` plus its length). */
  read(start: number, end: number): Promise<Readable>;
  /** Makes bytes [0, size) a blob with the given hashes (durable in a folder store). Once only. */
  commit(size: number, hashes: { md5: string; crc32c: string }): Promise<BlobInfo>;
  /** Drops the bytes (a cancelled session). */
  discard(): Promise<void>;
}

/** Calls `each` with the body's chunks in order, less its first `skip` bytes (empty pieces are not passed);
 *  resolves with the body's whole length (what AppendableBlob.write answers). */
export async function eachAfterSkip(
  body: Readable,
  skip: number,
  each: (chunk: Buffer) => Promise<void> | void,
): Promise<number> {
  let seen = 0;
  for await (const raw of body as AsyncIterable<Buffer>) {
    const chunk = seen >= skip ? raw : raw.subarray(Math.min(raw.length, skip - seen));
    seen += raw.length;
    if (chunk.length > 0) await each(chunk);
  }
  return seen;
}

export interface BlobStore {
  /** A new, empty appendable blob (resumable sessions). */
  appendable(): Promise<AppendableBlob>;
  /** Streams a body into a new blob. Rejects (and leaves nothing behind) if the body errors. */
  write(body: Readable, options?: HashOptions): Promise<BlobInfo>;
  /** A new blob holding the given blobs one after another (compose, multipart and resumable completion). */
  concat(ids: readonly string[], options?: HashOptions): Promise<BlobInfo>;
  /** A new blob with the same bytes (copy). */
  clone(id: string): Promise<string>;
  /** Bytes [start, end) of a blob. Resolves once the bytes are pinned (file opened), so removing the blob
   *  afterwards cannot cut a read that has started. */
  read(id: string, start: number, end: number): Promise<Readable>;
  remove(id: string): Promise<void>;
}
