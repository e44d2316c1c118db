// writeObject of a GrowingSource (storage/backend.ts): a resumable session (spec 6.1) started at once and fed
// `chunkSize` chunks as the source grows, each sent as `Content-Range: bytes a-b/*` while the total is
// unknown; once the owner ends the source the rest goes with the total (`bytes a-b/N`), or, when every byte
// has been sent already, a `bytes */N` that finalizes the object. Bytes are read back from the source (the
// mount's staged file) one chunk ahead of the wire, so memory stays at two chunks whatever the file's size,
// and hashed once, in order, as they are read: the store's crc32c/md5 of the finished object must match
// them (checkStored, as for every upload). A failed chunk is retried as in uploads.ts (status first, then
// from the server's Range, re-read from the source); giving up, or an abort, cancels the session (DELETE)
// and rejects, so the caller uploads another way and no partial object ever exists. The session and each
// confirmed offset are told to options.resumable.onProgress (the mount journals them) before the next
// chunk is sent.

import type { GrowingSource, WriteOptions } from '../backend.js';
import { Hasher, type ObjectHashes } from '../checksums.js';
import { StorageError, isStorageError } from '../errors.js';
import type { ClientContext } from './exchange.js';
import { ResumableSession, type ChunkOutcome } from './resumable-session.js';
import { withRetry } from './retry.js';
import type { UploadResult } from './upload-outcome.js';

/** Hashes the source's bytes once each, in order, whatever order (or how often) they are read in. */
class InOrderHasher {
  readonly #hasher = new Hasher({ md5: false }); // CRC32C only: see uploads.ts
  #hashed = 0;
  #digest: ObjectHashes | undefined;

  add(offset: number, bytes: Buffer): void {
    const end = offset + bytes.length;
    if (end <= this.#hashed || offset > this.#hashed) return;
    this.#hasher.update(bytes.subarray(this.#hashed - offset));
    this.#hashed = end;
  }

  /** The whole object's hashes, once `total` bytes have been hashed. */
  digest(total: number): ObjectHashes | undefined {
    if (this.#hashed !== total) return undefined;
    this.#digest ??= this.#hasher.digest();
    return this.#digest;
  }
}

export async function streamingUpload(
  ctx: ClientContext,
  bucket: string,
  name: string,
  source: GrowingSource,
  options: WriteOptions,
  chunkSize: number,
): Promise<UploadResult & { size: number }> {
  const { signal } = options;
  const session = await ResumableSession.start(ctx, bucket, name, options);
  const report = async (persisted: number): Promise<void> =>
    options.resumable?.onProgress?.({ session: session.url.href, persisted });
  const hasher = new InOrderHasher();
  const digest = (): ObjectHashes | undefined => {
    const total = source.total();
    return total === undefined ? undefined : hasher.digest(total);
  };
  const sized = (result: UploadResult): UploadResult & { size: number } => ({
    ...result,
    size: source.total() ?? 0,
  });

  // The next chunk, read (and hashed) while the current one is on the wire.
  let ahead: { at: number; length: number; bytes: Promise<Buffer> } | undefined;
  const readChunk = async (at: number): Promise<Buffer> => {
    await source.wait(at + chunkSize, signal);
    const length = Math.min(chunkSize, (source.total() ?? Infinity) - at);
    const pending = ahead;
    ahead = undefined;
    const bytes =
      pending?.at === at && pending.length === length ? await pending.bytes : await source.read(at, length);
    hasher.add(at, bytes);
    return bytes;
  };
  const readAhead = (at: number): void => {
    const total = source.total();
    const length = Math.min(chunkSize, (total ?? Infinity) - at);
    if (length <= 0 || source.available() < at + length) return;
    const bytes = source.read(at, length).then((b) => {
      hasher.add(at, b);
      return b;
    });
    bytes.catch(() => undefined); // a failed read-ahead is read again by readChunk
    ahead = { at, length, bytes };
  };
  /** Sends what follows `at`: a chunk, or only the total once every byte is there. */
  const send = async (at: number): Promise<ChunkOutcome> => {
    const bytes = await readChunk(at);
    const total = source.total();
    if (bytes.length === 0) {
      if (total === undefined) throw new StorageError('unavailable', 'a growing source returned no bytes');
      return session.status(total);
    }
    const sent = session.put(`bytes ${at}-${at + bytes.length - 1}/${String(total ?? '*')}`, bytes);
    sent.catch(() => undefined); // awaited below; this only silences the window
    readAhead(at + bytes.length);
    return sent;
  };

  try {
    let persisted = 0;
    let stuck = 0;
    await report(persisted);
    for (;;) {
      const from = persisted;
      // The writer's pace, outside the retried attempt: a slow writer is no failure.
      await source.wait(from + chunkSize, signal);
      const result = await withRetry(
        ctx,
        { idempotent: true, signal, what: `streaming upload ${session.url.pathname}` },
        async (n) => {
          if (n === 1) return send(from);
          const s = await session.status(source.total());
          return s.done ? s : send(s.persisted);
        },
      );
      if (result.done) return sized(session.finished(result, digest()));
      // A server that keeps persisting nothing would loop forever; a growing source waits in readChunk.
      stuck = result.persisted > persisted ? 0 : stuck + 1;
      if (stuck > 3) throw new StorageError('unavailable', `streaming upload stuck at byte ${persisted}`);
      if (result.persisted > persisted) await report(result.persisted);
      persisted = result.persisted;
    }
  } catch (e) {
    const settled = await session.settle(e, source.total(), digest()).catch(() => undefined);
    if (settled !== undefined) return sized(settled);
    session.cancel();
    if (signal?.aborted === true && !isStorageError(e, 'aborted'))
      throw new StorageError('aborted', 'upload aborted', { cause: e });
    throw e;
  }
}
