// Where object bytes live. Blobs are immutable and named by a random id; an object record points at one.
// Writing a blob and publishing the record that names it are separate steps, so a failed or cut upload
// leaves no visible trace (the record is the commit point).

import type { Readable } from 'node:stream';
import type { BlobInfo } from './records.js';

export interface BlobStore {
  /** Streams a body into a new blob. Rejects (and leaves nothing behind) if the body errors. */
  write(body: Readable): Promise<BlobInfo>;
  /** A new blob holding the given blobs one after another (compose, multipart completion). */
  concat(ids: readonly string[]): Promise<BlobInfo>;
  /** A new blob with the same bytes (copy). */
  clone(id: string): Promise<string>;
  /** Bytes [start, end) of a blob. Resolves once the bytes are pinned (file opened), so removing the blob
   *  afterwards cannot cut a read that has started. */
  read(id: string, start: number, end: number): Promise<Readable>;
  remove(id: string): Promise<void>;
}
