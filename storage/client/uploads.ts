// writeObject: one PUT with x-goog-hash (crc32c) up to `singleRequestMax`, a resumable upload above
// (chunks of 256 KiB multiples; after any failure the session's status is re-queried and the upload goes on
// from the server's Range, never from our own arithmetic). Why resumable and not XML multipart, with the
// measurements, is at DEFAULT_UPLOAD_THRESHOLDS. Uploads are hashed with CRC32C only, the checksum the
// service itself checks and reports for every object: the MD5 of a 1 GiB upload cost 1.5 s of the event
// loop (a CPU profile of `cp` into the mount), during which no FUSE request was answered; the store's MD5
// still comes back in the answer's x-goog-hash and is kept in the object's metadata.

import { defined } from '../../common/defined.js';
import type { UploadSource, WriteOptions } from '../backend.js';
import { formatGoogHash, hashBuffer } from '../checksums.js';
import { StorageError, isStorageError } from '../errors.js';
import { exchangeOnce } from './exchange.js';
import type { CallSpec, ClientContext } from './exchange.js';
import { writeHeaders, type ResponseHeaders } from './headers.js';
import { readText } from './http.js';
import { objectPath } from './objects.js';
import { ResumableSession, type ChunkOutcome } from './resumable-session.js';
import { LostOutcomes, withRetry } from './retry.js';
import { isIdempotent } from './retry-policy.js';
import { adoptIfOurs, checkStored, mayHaveFinished, type UploadResult } from './upload-outcome.js';
import { SourceReader } from './upload-source.js';

export type { UploadResult } from './upload-outcome.js';

export interface UploadThresholds {
  /** Largest body sent as one PUT (buffered in memory to hash it first). */
  singleRequestMax: number;
  /** Resumable chunk size; a multiple of 256 KiB. */
  chunkSize: number;
}

const QUANTUM = 256 * 1024;

// Resumable, not XML multipart: multipart takes no preconditions (spec 6.2) and the mount's write-back
// depends on x-goog-if-generation-match; multipart objects also lose their MD5, and an abandoned multipart
// upload is kept (and billed) forever while a resumable session expires in a week. Speed does not argue
// otherwise; measured against the emulator in its own process (test/storage/client/helpers/upload-bench.ts,
// 2 shared cores, medians):
//   16 MiB:  single PUT 117 ms; resumable 16 MiB chunks 127 ms (8 MiB: single 91 ms, resumable 82 ms)
//   64 MiB:  single PUT 460 ms; resumable 8/16/32 MiB chunks 553/463/528 ms; multipart 8 MiB x4 460 ms,
//            16 MiB x4 464 ms, 8 MiB x8 452 ms
//   512 MiB: resumable 8/16/32 MiB chunks 3.7/3.5/3.9 s; multipart 8 MiB x4 3.7 s, 16 MiB x4 3.9 s,
//            8 MiB x8 3.6 s
// That parity needs the next chunk hashed while the current one is on the wire (SourceReader.warm):
// without it resumable took 5.6 s for 512 MiB against multipart's 3.6 s. On a real network multipart's
// parallel connections could still win for huge files; a parallel composite upload (preconditioned part
// objects + a preconditioned compose) would get that without losing preconditions.
// Thresholds: up to 16 MiB a single PUT costs the same as resumable and 16 MiB buffered per small upload is
// an acceptable memory bound; 16 MiB chunks were fastest while a failed chunk costs at most 16 MiB again.
export const DEFAULT_UPLOAD_THRESHOLDS: UploadThresholds = {
  singleRequestMax: 16 * 1024 * 1024,
  chunkSize: 16 * 1024 * 1024,
};

async function singlePut(
  ctx: ClientContext,
  bucket: string,
  name: string,
  body: Buffer,
  options: WriteOptions,
): Promise<UploadResult> {
  const hashes = hashBuffer(body, { md5: false });
  const spec: CallSpec = {
    method: 'PUT',
    path: objectPath(bucket, name),
    headers: { ...writeHeaders(options), 'x-goog-hash': formatGoogHash(hashes) },
    body,
    safety: { kind: 'write', ...defined({ ifGenerationMatch: options.ifGenerationMatch }) },
    errorContext: { resource: 'object', bucket, object: name },
    signal: options.signal,
  };
  const attempts = new LostOutcomes();
  let headers: ResponseHeaders;
  try {
    headers = await withRetry(
      ctx,
      {
        idempotent: isIdempotent(spec.safety),
        signal: options.signal,
        what: `PUT ${spec.path}`,
        onAttemptFailed: attempts.onAttemptFailed,
      },
      async () => {
        const res = await exchangeOnce(ctx, spec);
        await readText(res.body, options.signal);
        return res.headers;
      },
    );
  } catch (e) {
    const adopted = mayHaveFinished(e, attempts.lost)
      ? await adoptIfOurs(ctx, bucket, name, hashes, options)
      : undefined;
    if (adopted === undefined) throw e;
    return { headers: {}, hashes, meta: adopted };
  }
  checkStored(headers, hashes, name);
  return { headers, hashes };
}

async function resumable(
  ctx: ClientContext,
  bucket: string,
  name: string,
  reader: SourceReader,
  options: WriteOptions,
  chunkSize: number,
): Promise<UploadResult> {
  const { signal } = options;
  const hooks = options.resumable;
  const total = reader.size;
  let session =
    hooks?.session === undefined
      ? await ResumableSession.start(ctx, bucket, name, options)
      : ResumableSession.resume(ctx, bucket, name, hooks.session, options);
  const report = async (persisted: number): Promise<void> =>
    hooks?.onProgress?.({ session: session.url.href, persisted });
  try {
    let persisted = 0;
    let stuck = 0;
    if (hooks?.session !== undefined) {
      const resumed = await resume(ctx, session, total, reader, signal);
      if (resumed === 'gone') {
        ctx.logger.debug('resumable session gone: starting again', { object: name });
        session = await ResumableSession.start(ctx, bucket, name, options);
      } else if (resumed.done) {
        return session.finished(resumed, reader.digest());
      } else persisted = resumed.persisted;
    }
    await report(persisted);
    for (;;) {
      const from = persisted;
      const result = await withRetry(
        ctx,
        { idempotent: true, signal, what: `resumable ${session.url.pathname}` },
        async (n) => {
          let at = from;
          if (n > 1) {
            const status = await session.status(total).catch(async (e: unknown) => {
              // A session that finished while its answer was lost may be gone (the emulator forgets it).
              const hashes = isStorageError(e, 'not-found') ? reader.digest() : undefined;
              const meta =
                hashes === undefined ? undefined : await adoptIfOurs(ctx, bucket, name, hashes, options);
              if (meta === undefined) throw e;
              return { done: true as const, headers: {}, meta };
            });
            if (status.done) return status;
            at = status.persisted;
          }
          const bytes = await reader.readAt(at, chunkSize, signal);
          const sent = session.put(`bytes ${at}-${at + bytes.length - 1}/${total}`, bytes);
          sent.catch(() => undefined); // handled by the caller below; this only silences the window
          await new Promise((resolve) => setImmediate(resolve));
          reader.warm(at + bytes.length + chunkSize);
          return sent;
        },
      );
      if (result.done) return session.finished(result, reader.digest());
      // A server that keeps persisting nothing would loop forever; a few empty rounds are allowed.
      stuck = result.persisted > persisted ? 0 : stuck + 1;
      if (stuck > 3) throw new StorageError('unavailable', `resumable upload stuck at byte ${persisted}`);
      persisted = result.persisted;
      await report(persisted);
    }
  } catch (e) {
    const settled = await session.settle(e, total, reader.digest());
    if (settled !== undefined) return settled;
    session.cancel();
    throw e;
  } finally {
    reader.close();
  }
}

/** Where a session from an earlier run stands: 'gone' (404: start again), finished (the bytes read and
 *  hashed, so the answer can be checked), or the bytes the store has (hashed up to there, so the whole
 *  object's hashes come out right when the rest is sent). */
async function resume(
  ctx: ClientContext,
  session: ResumableSession,
  total: number,
  reader: SourceReader,
  signal: AbortSignal | undefined,
): Promise<ChunkOutcome | 'gone'> {
  let status: ChunkOutcome;
  try {
    status = await withRetry(
      ctx,
      { idempotent: true, signal, what: `resumable status ${session.url.pathname}` },
      () => session.status(total),
    );
  } catch (e) {
    if (isStorageError(e, 'not-found')) return 'gone';
    throw e;
  }
  const upTo = status.done ? total : status.persisted;
  for (let at = 0; at < upTo; at += QUANTUM * 64)
    await reader.readAt(at, Math.min(QUANTUM * 64, upTo - at), signal);
  return status;
}

export async function upload(
  ctx: ClientContext,
  bucket: string,
  name: string,
  source: UploadSource,
  options: WriteOptions,
  thresholds: UploadThresholds,
): Promise<UploadResult> {
  if (thresholds.chunkSize % QUANTUM !== 0 || thresholds.chunkSize <= 0) {
    throw new StorageError('invalid-argument', `chunk size must be a positive multiple of ${QUANTUM}`);
  }
  const reader = new SourceReader(source);
  if (reader.size > thresholds.singleRequestMax || reader.size > 2 ** 31 - 1) {
    return resumable(ctx, bucket, name, reader, options, thresholds.chunkSize);
  }
  let body: Buffer;
  try {
    body = await reader.readAt(0, reader.size, options.signal);
  } finally {
    reader.close();
  }
  return singlePut(ctx, bucket, name, body, options);
}
