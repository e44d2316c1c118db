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

export interface BlobStore {
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
