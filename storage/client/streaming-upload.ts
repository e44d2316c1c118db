// writeObject of a GrowingSource (storage/backend.ts): a resumable session (spec 6.1) started at once and fed
// `chunkSize` chunks as the source grows, each sent as `Content-Range: bytes a-b/*` while the total is
// unknown; once the owner ends the source the rest goes with the total (`bytes a-b/N`), or, when every byte
// has been sent already, a `bytes */N` that finalizes the object. Bytes are read back from the source (the
// mount's staged file) one chunk ahead of the wire, so memory stays at two chunks whatever the file's size,
// and hashed once, in order, as they are read: the store's crc32c/md5 of the finished object must match
// them (checkStored, as for every upload). A failed chunk is retried as in uploads.ts (status first, then
// from the server's Range, re-read from the source); giving up, or an abort, cancels the session (DELETE)
// and rejects, so the caller uploads another way and no partial object ever exists.

import { defined } from '../../common/defined.js';
import type { GrowingSource, WriteOptions } from '../backend.js';
import { Hasher, type ObjectHashes } from '../checksums.js';
import { StorageError, isStorageError } from '../errors.js';
import { callEmpty, exchangeOnce, type ClientContext } from './exchange.js';
import { header } from './headers.js';
import { discard } from './http.js';
import { objectPath } from './objects.js';
import { withRetry } from './retry.js';
import {
  adoptIfOurs,
  checkStored,
  mayHaveFinished,
  outcome,
  writeHeaders,
  type ChunkOutcome,
  type UploadResult,
} from './uploads.js';

/** Hashes the source's bytes once each, in order, whatever order (or how often) they are read in. */
class InOrderHasher {
  readonly #hasher = new Hasher();
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
  const path = objectPath(bucket, name);
  const errorContext = { resource: 'object' as const, bucket, object: name };
  const started = await callEmpty(ctx, {
    method: 'POST',
    path,
    headers: { ...writeHeaders(options), 'x-goog-resumable': 'start' },
    safety: { kind: 'resumable-start' },
    errorContext,
    signal,
  });
  const location = header(started.headers, 'location');
  if (location === undefined) throw new StorageError('unavailable', 'resumable start returned no Location');
  const session = new URL(location, ctx.endpoint);
  const hasher = new InOrderHasher();
  const put = async (range: string, body?: Buffer): Promise<ChunkOutcome> => {
    const res = await exchangeOnce(ctx, {
      method: 'PUT',
      path,
      url: session,
      headers: { 'content-range': range },
      ...defined({ body }),
      safety: { kind: 'resumable-chunk' },
      errorContext,
      accept: [308],
      signal,
    });
    discard(res.body);
    return outcome(res.status, res.headers);
  };
  const status = (): Promise<ChunkOutcome> => put(`bytes */${String(source.total() ?? '*')}`);

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
      return put(`bytes */${total}`);
    }
    const sent = put(`bytes ${at}-${at + bytes.length - 1}/${String(total ?? '*')}`, bytes);
    sent.catch(() => undefined); // awaited below; this only silences the window
    readAhead(at + bytes.length);
    return sent;
  };
  const finished = (result: ChunkOutcome & { done: true }): UploadResult & { size: number } => {
    const size = source.total();
    const hashes = size === undefined ? undefined : hasher.digest(size);
    if (size === undefined || hashes === undefined)
      throw new StorageError('unavailable', 'upload finished before all bytes were sent');
    if (result.meta !== undefined) return { headers: {}, hashes, meta: result.meta, size };
    checkStored(result.headers, hashes, name);
    return { headers: result.headers, hashes, size };
  };
  /** The last chunk's answer never came: the session, or the object itself, says whether it finished. */
  const settle = async (e: unknown): Promise<(UploadResult & { size: number }) | undefined> => {
    const size = source.total();
    const hashes = size === undefined ? undefined : hasher.digest(size);
    if (!mayHaveFinished(e, false) || size === undefined || hashes === undefined) return undefined;
    try {
      const s = await status();
      return s.done ? finished(s) : undefined;
    } catch {
      const meta = await adoptIfOurs(ctx, bucket, name, hashes, options);
      return meta === undefined ? undefined : { headers: {}, hashes, meta, size };
    }
  };

  try {
    let persisted = 0;
    let stuck = 0;
    for (;;) {
      const from = persisted;
      // The writer's pace, outside the retried attempt: a slow writer is no failure.
      await source.wait(from + chunkSize, signal);
      const result = await withRetry(
        ctx,
        { idempotent: true, signal, what: `streaming upload ${path}` },
        async (n) => {
          if (n === 1) return send(from);
          const s = await status();
          return s.done ? s : send(s.persisted);
        },
      );
      if (result.done) return finished(result);
      // A server that keeps persisting nothing would loop forever; a growing source waits in readChunk.
      stuck = result.persisted > persisted ? 0 : stuck + 1;
      if (stuck > 3) throw new StorageError('unavailable', `streaming upload stuck at byte ${persisted}`);
      persisted = result.persisted;
    }
  } catch (e) {
    const settled = await settle(e).catch(() => undefined);
    if (settled !== undefined) return settled;
    // Best effort, outside the (maybe aborted) signal: a dangling session holds storage for a week.
    exchangeOnce(ctx, {
      method: 'DELETE',
      path,
      url: session,
      safety: { kind: 'cancel' },
      accept: [499],
    }).then(
      (res) => discard(res.body),
      () => undefined,
    );
    if (signal?.aborted === true && !isStorageError(e, 'aborted'))
      throw new StorageError('aborted', 'upload aborted', { cause: e });
    throw e;
  }
}
