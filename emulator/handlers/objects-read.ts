// Object GET and HEAD (spec 4.2-4.5): generation selection, conditionals, single byte ranges (206/416),
// response-* overrides, and decompressive transcoding of gzip objects for clients that do not accept gzip.

import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ApiError, noSuchKey } from '../errors.js';
import type { Ctx } from '../http/context.js';
import { setObjectHeaders } from '../http/object-headers.js';
import { sendEmpty } from '../http/respond.js';
import { checkReadConditions } from '../preconditions.js';
import type { ObjectRecord } from '../store/records.js';
import { requireBucket } from './buckets.js';

export function requireObject(ctx: Ctx, bucket: string, name: string): ObjectRecord {
  requireBucket(ctx, bucket);
  const o = ctx.store.object(bucket, name);
  const generation = ctx.target.query.get('generation');
  // Only live generations are kept (no versioning): any other generation is gone.
  if (!o || (generation !== undefined && generation !== o.generation)) throw noSuchKey(bucket, name);
  return o;
}

/** Parses a single `bytes=` range against a size; undefined = whole object (absent or unparseable). */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multiple ranges or garbage: served whole with 200, as HTTP allows a server to ignore Range.
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw new ApiError('InvalidRange');
    return { start: Math.max(0, size - n), end: size };
  }
  const start = Number(m[1]);
  if (start >= size) throw new ApiError('InvalidRange');
  const end = m[2] === '' ? size : Math.min(size, Number(m[2]) + 1);
  if (end <= start) return undefined;
  return { start, end };
}

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
  'response-content-language': 'Content-Language',
  'response-cache-control': 'Cache-Control',
  'response-expires': 'Expires',
};

export async function getObject(ctx: Ctx, bucket: string, name: string): Promise<void> {
  const o = requireObject(ctx, bucket, name);
  const { res } = ctx;
  setObjectHeaders(res, o, ctx.dialect);
  if (checkReadConditions(ctx.headers, o)) return sendEmpty(ctx, 304);
  for (const [param, header] of Object.entries(OVERRIDES)) {
    const v = ctx.target.query.get(param);
    if (v !== undefined) res.setHeader(header, v);
  }
  const acceptsGzip = /\bgzip\b/.test(ctx.headers.get('accept-encoding') ?? '');
  const transcode =
    o.contentEncoding === 'gzip' && !acceptsGzip && !/no-transform/.test(o.cacheControl ?? '');
  if (transcode) {
    res.removeHeader('Content-Encoding');
    res.statusCode = 200;
    if (ctx.method === 'HEAD') return void res.end();
    await pipeline(await ctx.store.blobs.read(o.blob, 0, o.size), createGunzip(), res);
    return;
  }
  const range = parseRange(ctx.headers.get('range'), o.size);
  const start = range?.start ?? 0;
  const end = range?.end ?? o.size;
  if (range) {
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end - 1}/${o.size}`);
  } else res.statusCode = 200;
  res.setHeader('Content-Length', end - start);
  if (ctx.method === 'HEAD') return void res.end();
  const body = await ctx.store.blobs.read(o.blob, start, end);
  await pipeline(body, res);
}
