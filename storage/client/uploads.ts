// writeObject: one PUT with x-goog-hash (crc32c+md5) up to `singleRequestMax`, a resumable upload above
// (chunks of 256 KiB multiples; after any failure the session's status is re-queried and the upload goes on
// from the server's Range, never from our own arithmetic). Why resumable and not XML multipart, with the
// measurements, is at DEFAULT_UPLOAD_THRESHOLDS.

import { defined } from '../../common/defined.js';
import type { UploadSource, WriteOptions } from '../backend.js';
import { formatGoogHash, hashBuffer, verifyHashes } from '../checksums.js';
import type { ObjectHashes } from '../checksums.js';
import { StorageError, isStorageError } from '../errors.js';
import { isOwnWrite } from '../own-write.js';
import { callEmpty, exchangeOnce } from './exchange.js';
import type { ObjectMeta } from '../types.js';
import type { CallSpec, ClientContext } from './exchange.js';
import { header, parseGoogHashHeaders, preconditionHeaders, writableMetadataHeaders } from './headers.js';
import type { ResponseHeaders } from './headers.js';
import { pickWritable } from '../writable-metadata.js';
import { discard, readText } from './http.js';
import { objectPath, statObject } from './objects.js';
import { LostOutcomes, outcomeUnknown, withRetry } from './retry.js';
import { isIdempotent } from './retry-policy.js';
import { SourceReader } from './upload-source.js';

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

export interface UploadResult {
  headers: ResponseHeaders;
  hashes: ObjectHashes;
  /** Set when the store had to be asked (the final answer was lost): the object's full metadata. */
  meta?: ObjectMeta;
}

export function writeHeaders(options: WriteOptions): Record<string, string> {
  const h = { ...writableMetadataHeaders(pickWritable(options)), ...preconditionHeaders(options) };
  if (options.cannedAcl !== undefined) h['x-goog-acl'] = options.cannedAcl;
  return h;
}

export function checkStored(headers: ResponseHeaders, sent: ObjectHashes, name: string): void {
  verifyHashes(parseGoogHashHeaders(headers), sent, `upload of ${name}`);
}

/** Asks the store whether a write whose answer never came (or a 412 after such an attempt: our own lost
 *  attempt may have won) in fact finished: one HEAD of the live object, adopted if it is ours. Otherwise
 *  (another object, none, or the HEAD failing too) the caller reports its original error. */
export async function adoptIfOurs(
  ctx: ClientContext,
  bucket: string,
  name: string,
  hashes: ObjectHashes,
  options: WriteOptions,
): Promise<ObjectMeta | undefined> {
  try {
    const meta = await statObject(
      ctx,
      bucket,
      name,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    if (!isOwnWrite(meta, hashes, options)) return undefined;
    ctx.logger.debug('upload settled: the store holds what we sent', {
      object: name,
      generation: meta.generation,
    });
    return meta;
  } catch {
    return undefined;
  }
}

/** Whether a failed write is worth asking the store about: the last attempt's outcome is unknown, or a
 *  412 followed an attempt whose outcome was unknown. */
export function mayHaveFinished(e: unknown, lost: boolean): boolean {
  return isStorageError(e) && (outcomeUnknown(e) || (lost && e.code === 'precondition-failed'));
}

async function singlePut(
  ctx: ClientContext,
  bucket: string,
  name: string,
  body: Buffer,
  options: WriteOptions,
): Promise<UploadResult> {
  const hashes = hashBuffer(body);
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

export type ChunkOutcome =
  { done: true; headers: ResponseHeaders; meta?: ObjectMeta } | { done: false; persisted: number };

export function outcome(status: number, headers: ResponseHeaders): ChunkOutcome {
  if (status !== 308) return { done: true, headers };
  const range = /^bytes=0-(\d+)$/.exec(header(headers, 'range')?.trim() ?? '');
  return { done: false, persisted: range?.[1] === undefined ? 0 : Number(range[1]) + 1 };
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
  const path = objectPath(bucket, name);
  const errorContext = { resource: 'object' as const, bucket, object: name };
  const start = async (): Promise<URL> => {
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
    return new URL(location, ctx.endpoint);
  };
  const hooks = options.resumable;
  const total = reader.size;
  let session = hooks?.session === undefined ? await start() : new URL(hooks.session, ctx.endpoint);
  const report = async (persisted: number): Promise<void> =>
    hooks?.onProgress?.({ session: session.href, persisted });
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
  const finished = (result: ChunkOutcome & { done: true }): UploadResult => {
    const hashes = reader.digest();
    if (hashes === undefined)
      throw new StorageError('unavailable', 'upload finished before all bytes were sent');
    if (result.meta !== undefined) return { headers: {}, hashes, meta: result.meta };
    checkStored(result.headers, hashes, name);
    return { headers: result.headers, hashes };
  };
  /** The last chunk's answer never came: the session's status says whether it finished (spec 6.1: 200
   *  with the object), and a session already gone leaves the object's HEAD to say. */
  const settle = async (e: unknown): Promise<UploadResult | undefined> => {
    const hashes = reader.digest();
    if (!mayHaveFinished(e, false) || hashes === undefined) return undefined;
    try {
      const status = await put(`bytes */${total}`);
      return status.done ? finished(status) : undefined;
    } catch {
      const meta = await adoptIfOurs(ctx, bucket, name, hashes, options);
      return meta === undefined ? undefined : { headers: {}, hashes, meta };
    }
  };
  try {
    let persisted = 0;
    let stuck = 0;
    if (hooks?.session !== undefined) {
      const resumed = await resume(ctx, session, total, put, reader, signal);
      if (resumed === 'gone') {
        ctx.logger.debug('resumable session gone: starting again', { object: name });
        session = await start();
      } else if (resumed.done) {
        return finished(resumed);
      } else persisted = resumed.persisted;
    }
    await report(persisted);
    for (;;) {
      const from = persisted;
      const result = await withRetry(
        ctx,
        { idempotent: true, signal, what: `resumable ${path}` },
        async (n) => {
          let at = from;
          if (n > 1) {
            const status = await put(`bytes */${total}`).catch(async (e: unknown) => {
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
          const sent = put(`bytes ${at}-${at + bytes.length - 1}/${total}`, bytes);
          sent.catch(() => undefined); // handled by the caller below; this only silences the window
          await new Promise((resolve) => setImmediate(resolve));
          reader.warm(at + bytes.length + chunkSize);
          return sent;
        },
      );
      if (result.done) return finished(result);
      // A server that keeps persisting nothing would loop forever; a few empty rounds are allowed.
      stuck = result.persisted > persisted ? 0 : stuck + 1;
      if (stuck > 3) throw new StorageError('unavailable', `resumable upload stuck at byte ${persisted}`);
      persisted = result.persisted;
      await report(persisted);
    }
  } catch (e) {
    const settled = await settle(e);
    if (settled !== undefined) return settled;
    // Best effort, outside the caller's (maybe aborted) signal: a dangling session holds storage for a week.
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
  session: URL,
  total: number,
  put: (range: string) => Promise<ChunkOutcome>,
  reader: SourceReader,
  signal: AbortSignal | undefined,
): Promise<ChunkOutcome | 'gone'> {
  let status: ChunkOutcome;
  try {
    status = await withRetry(
      ctx,
      { idempotent: true, signal, what: `resumable status ${session.pathname}` },
      () => put(`bytes */${total}`),
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
