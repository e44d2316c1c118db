// Object HEAD, GET and DELETE (spec 4.2-4.6). A HEAD 404 has no body, so a miss asks once more whether
// the bucket exists ('bucket-not-found' vs 'not-found'). Reads pin the generation the first response came
// from (`?generation=`) for every resumption, send Range only when a range was asked for (a 0-byte object
// answers any range with 416), and verify the CRC32C (MD5 only without one) when the bytes read are the
// whole object.

import { defined } from '../../common/defined.js';
import type { CallOptions, DeleteOptions, ObjectReadStream, ReadOptions } from '../backend.js';
import { StorageError, isStorageError } from '../errors.js';
import type { Generation, ObjectMeta } from '../types.js';
import { bucketPath, headBucket } from './buckets.js';
import { call, callEmpty } from './exchange.js';
import type { CallSpec, ClientContext } from './exchange.js';
import { encodeObjectName, header, objectMetaFromHeaders, preconditionHeaders } from './headers.js';
import { abandon, discard } from './http.js';
import { outcomeUnknown } from './retry.js';
import { retriedDelete } from './retried-delete.js';
import { resumingBody } from './read-stream.js';

export function objectPath(bucket: string, name: string): string {
  return `${bucketPath(bucket)}/${encodeObjectName(name)}`;
}

function generationQuery(generation: Generation | undefined): [string, string][] {
  return generation === undefined ? [] : [['generation', generation]];
}

/** A 404 without a body says nothing about which is missing; the bucket's HEAD tells. */
async function whichIsMissing(
  ctx: ClientContext,
  e: unknown,
  bucket: string,
  signal?: AbortSignal,
): Promise<never> {
  // A GET's 404 names its cause (NoSuchKey/NoSuchBucket); only a bodiless HEAD 404 needs the extra look.
  if (isStorageError(e, 'not-found') && e.serviceCode === undefined) {
    try {
      await headBucket(ctx, bucket, defined({ signal }));
    } catch (b) {
      if (isStorageError(b, 'bucket-not-found')) throw b;
    }
  }
  throw e;
}

export async function statObject(
  ctx: ClientContext,
  bucket: string,
  name: string,
  options: CallOptions & { generation?: Generation } = {},
): Promise<ObjectMeta> {
  try {
    const res = await callEmpty(ctx, {
      method: 'HEAD',
      path: objectPath(bucket, name),
      query: generationQuery(options.generation),
      safety: { kind: 'read' },
      errorContext: { resource: 'object', bucket, object: name },
      signal: options.signal,
    });
    return objectMetaFromHeaders(bucket, name, res.headers);
  } catch (e) {
    return whichIsMissing(ctx, e, bucket, options.signal);
  }
}

function contentRange(value: string | undefined): { start: number; end: number; size: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value?.trim() ?? '');
  if (m === null) return undefined;
  return { start: Number(m[1]), end: Number(m[2]) + 1, size: Number(m[3]) };
}

const MAX_RESUMES = 10;

export async function readObject(
  ctx: ClientContext,
  bucket: string,
  name: string,
  options: ReadOptions = {},
): Promise<ObjectReadStream> {
  const { range, signal } = options;
  if (range !== undefined && (range.start < 0 || (range.end !== undefined && range.end < range.start))) {
    throw new StorageError('invalid-argument', `bad range ${JSON.stringify(range)}`);
  }
  const spec = (generation: Generation | undefined, from: number | undefined, end?: number): CallSpec => ({
    method: 'GET',
    path: objectPath(bucket, name),
    query: generationQuery(generation),
    headers: from === undefined ? {} : { range: `bytes=${from}-${end === undefined ? '' : String(end - 1)}` },
    safety: { kind: 'read' },
    errorContext: { resource: 'object', bucket, object: name },
    signal,
  });
  const wantedEnd = range?.end === undefined ? undefined : range.end + 1;
  let res;
  try {
    res = await call(ctx, spec(options.generation, range?.start, wantedEnd));
  } catch (e) {
    return whichIsMissing(ctx, e, bucket, signal);
  }
  const generation = header(res.headers, 'x-goog-generation');
  if (generation === undefined) {
    discard(res.body);
    throw new StorageError('unavailable', 'download lacks x-goog-generation', { bucket, object: name });
  }
  const meta = objectMetaFromHeaders(bucket, name, res.headers);
  const fail = (code: 'unavailable' | 'not-implemented', why: string): never => {
    abandon(res.body);
    throw new StorageError(code, why, { bucket, object: name });
  };
  // Decompressed bytes match neither the stored size nor the hashes; accept-encoding: gzip should prevent
  // it, so only an intermediary can cause it, and a clear failure beats silently different bytes.
  if (header(res.headers, 'content-encoding') !== meta.contentEncoding) {
    fail('not-implemented', `${name} was served decompressed (Content-Encoding stripped on the way)`);
  }
  const served = res.status === 206 ? contentRange(header(res.headers, 'content-range')) : undefined;
  if (res.status === 206 && served === undefined) fail('unavailable', 'partial download lacks Content-Range');
  // A 200 to a ranged request (a server may ignore Range) is the whole object: skip to the range.
  const start = served?.start ?? 0;
  const from = served?.start ?? range?.start ?? 0;
  const end = Math.min(served?.end ?? meta.size, wantedEnd ?? meta.size);
  const whole = from === 0 && end === meta.size;
  // CRC32C alone when the object has one (every GCS object does): it catches corruption as well, costs a
  // fraction of MD5 (SIMD), and MD5 on the event loop capped a whole-object read at a few hundred MB/s.
  const expected =
    meta.crc32c !== undefined ? { crc32c: meta.crc32c } : meta.md5 === undefined ? {} : { md5: meta.md5 };
  const body = resumingBody({
    first: res.body,
    start,
    from,
    end,
    ...(whole ? { expected } : {}),
    maxResumes: MAX_RESUMES,
    signal,
    reopen: async (offset) => {
      const more = await call(ctx, spec(generation, offset, end));
      if (more.status !== 206) {
        abandon(more.body);
        throw new StorageError('unavailable', 'resumed download ignored its Range', { bucket, object: name });
      }
      return more.body;
    },
  });
  return { body, generation, size: meta.size };
}

/** Whether the object (or the named generation) is gone, by one HEAD; undefined when the HEAD fails. */
async function isGone(
  ctx: ClientContext,
  bucket: string,
  name: string,
  options: DeleteOptions,
): Promise<boolean | undefined> {
  try {
    await statObject(ctx, bucket, name, {
      ...(options.generation === undefined ? {} : { generation: options.generation }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return false;
  } catch (e) {
    return isStorageError(e, 'not-found') || isStorageError(e, 'bucket-not-found') ? true : undefined;
  }
}

/** DELETE (spec 4.6). Retried when `generation` or `ifGenerationMatch` pins what is deleted, or when the
 *  server refused an attempt (retry-policy.ts). When an attempt's outcome was lost (a cut response, a
 *  timeout, a 5xx: retry.ts outcomeUnknown), that attempt may have deleted the object, and the end of the
 *  story is settled so that a delete that happened is a success:
 *  - 404 on a later attempt: gone. Ours, or someone else's delete: either way the name no longer holds
 *    what we meant to delete, which is all unlink asks.
 *  - 412 on a later attempt (if-generation-match): the live object is not the generation we named. Either
 *    our delete happened and someone wrote the name again, or someone replaced that generation before our
 *    delete arrived, which then never happened. Nothing tells the two apart, so ours counts as done only
 *    if no live object remains (one HEAD); a newer object is left alone and 412 (ESTALE) reported, which is
 *    the truth in the second case and harmless in the first.
 *  - The last attempt's outcome unknown (retries spent, or an unconditioned delete, which is never
 *    repeated after an unknown outcome: a repeat could delete a newer object someone wrote meanwhile):
 *    one HEAD (of `generation` when given); gone is success, anything else reports the original error.
 *  Without a lost outcome, 404 and 412 are the truth and are reported as they are. */
export async function deleteObject(
  ctx: ClientContext,
  bucket: string,
  name: string,
  options: DeleteOptions = {},
): Promise<void> {
  const spec: CallSpec = {
    method: 'DELETE',
    path: objectPath(bucket, name),
    query: generationQuery(options.generation),
    headers: preconditionHeaders(options),
    safety: {
      kind: 'delete-object',
      ...defined({ generation: options.generation, ifGenerationMatch: options.ifGenerationMatch }),
    },
    errorContext: { resource: 'object', bucket, object: name },
    signal: options.signal,
  };
  const { failure: e, lost } = await retriedDelete(ctx, spec);
  if (e === undefined) return;
  if (!lost || !isStorageError(e)) throw e;
  if (e.code === 'not-found') return;
  if (e.code !== 'precondition-failed' && !outcomeUnknown(e)) throw e;
  if ((await isGone(ctx, bucket, name, options)) === true) {
    ctx.logger.debug('delete settled: the object is gone', { object: name, after: e.code });
    return;
  }
  throw e;
}

/** Full ObjectMeta after an upload, copy or compose, whose answers lack Last-Modified, content-type and
 *  custom metadata: HEAD that exact generation. If it is already gone (overwritten at once), the answer's
 *  own headers are the best there is. */
export async function describeWritten(
  ctx: ClientContext,
  bucket: string,
  name: string,
  headers: Record<string, string | string[] | undefined>,
  signal?: AbortSignal,
): Promise<ObjectMeta> {
  const generation = header(headers, 'x-goog-generation');
  if (generation === undefined) {
    return statObject(ctx, bucket, name, defined({ signal }));
  }
  try {
    return await statObject(ctx, bucket, name, defined({ generation, signal }));
  } catch (e) {
    if (!isStorageError(e, 'not-found')) throw e;
    const meta = objectMetaFromHeaders(bucket, name, headers);
    const date = header(headers, 'date');
    if (date !== undefined && meta.updated.getTime() === 0) meta.updated = new Date(date);
    return meta;
  }
}
