// Resumable uploads over the XML API (spec 6.1): a POST with x-goog-resumable: start opens a session whose
// URI is the only handle; PUTs carry chunks with Content-Range, answered 308 with the persisted Range until
// the last byte, then 200 with the object. Non-final chunks are persisted only up to a multiple of 256 KiB,
// as the service may do, so clients must resume from the Range they are told, not from their arithmetic.

import { Readable } from 'node:stream';
import { ApiError } from '../errors.js';
import type { Ctx } from '../http/context.js';
import { Headers } from '../http/headers.js';
import { setObjectHeaders } from '../http/object-headers.js';
import { discardBody, sendEmpty } from '../http/respond.js';
import { checkObjectName } from '../names.js';
import { aclFor, commitObject, templateFromHeaders } from '../object-template.js';
import { checkGenerationMatch } from '../preconditions.js';
import { RunningHash } from '../store/hashing.js';
import type { ResumableSession } from '../uploads/sessions.js';
import { newUploadId } from '../uploads/sessions.js';
import { requireBucket } from './buckets.js';

const QUANTUM = 256 * 1024;
const PRECONDITION_HEADERS = ['x-goog-if-generation-match', 'x-goog-if-metageneration-match'];

export async function startResumable(ctx: Ctx, bucket: string, name: string): Promise<void> {
  const b = requireBucket(ctx, bucket);
  checkObjectName(name);
  const template = templateFromHeaders(ctx.headers);
  aclFor(template, b, ctx.caller);
  checkGenerationMatch(ctx.headers, ctx.store.object(bucket, name));
  await discardBody(ctx.req);
  const preconditionHeaders: Record<string, string> = {};
  for (const h of PRECONDITION_HEADERS) {
    const v = ctx.headers.get(h);
    if (v !== undefined) preconditionHeaders[h] = v;
  }
  const id = newUploadId();
  ctx.uploads.resumable.set(id, {
    kind: 'resumable',
    id,
    bucket,
    name,
    template,
    owner: ctx.caller,
    preconditionHeaders,
    persisted: 0,
    hashBroken: false,
    hash: new RunningHash(),
    created: ctx.clock.now(),
  });
  ctx.res.setHeader('Location', `${ctx.origin}${ctx.target.rawPath}?upload_id=${encodeURIComponent(id)}`);
  sendEmpty(ctx, 201);
}

interface ContentRange {
  /** undefined for a status query (`bytes *\/TOTAL`). */
  first?: number;
  last?: number;
  total?: number;
}

function parseContentRange(h: string | undefined, length: number, persisted: number): ContentRange {
  // boto sends no Content-Range for a whole 0-byte (or whole-body) upload.
  if (h === undefined)
    return length === 0
      ? { total: persisted }
      : { first: persisted, last: persisted + length - 1, total: persisted + length };
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(h.trim());
  if (!m) throw new ApiError('InvalidArgument', `Invalid Content-Range: ${h}`);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (m[1] === undefined || m[2] === undefined) return total === undefined ? {} : { total };
  return { first: Number(m[1]), last: Number(m[2]), ...(total === undefined ? {} : { total }) };
}

/** Why a chunk's Content-Range cannot be right (GCS answers 400): a range whose length is not the
 *  body's, a total below the bytes already persisted or the range's end, or a total other than one
 *  declared before. */
function checkRange(
  range: ContentRange,
  length: number | undefined,
  s: ResumableSession,
): string | undefined {
  if (range.first !== undefined && range.last !== undefined) {
    if (range.last < range.first || (length !== undefined && range.last - range.first + 1 !== length))
      return `Content-Range bytes ${range.first}-${range.last} does not match the body's ${length ?? 0} bytes.`;
    if (range.total !== undefined && range.total <= range.last)
      return `Content-Range ends at byte ${range.last}, past the declared total ${range.total}.`;
  }
  if (range.total === undefined) return undefined;
  if (range.total < s.persisted)
    return `The declared total ${range.total} is less than the ${s.persisted} bytes persisted.`;
  if (s.total !== undefined && range.total !== s.total)
    return `The declared total ${range.total} differs from the ${s.total} declared before.`;
  return undefined;
}

function session(ctx: Ctx, id: string): ResumableSession {
  const s = ctx.uploads.resumable.get(id);
  if (!s) throw new ApiError('NoSuchUpload', `No such upload session: ${id}`);
  return s;
}

function answerIncomplete(ctx: Ctx, s: ResumableSession): void {
  if (s.persisted > 0) ctx.res.setHeader('Range', `bytes=0-${s.persisted - 1}`);
  sendEmpty(ctx, 308);
}

export async function putResumable(ctx: Ctx, id: string): Promise<void> {
  const s = session(ctx, id);
  if (s.finished) {
    await discardBody(ctx.req);
    setObjectHeaders(ctx.res, s.finished, ctx.dialect, false);
    return sendEmpty(ctx, 200);
  }
  const declared = ctx.headers.get('content-length');
  const length = Number(declared ?? '0');
  const range = parseContentRange(ctx.headers.get('content-range'), length, s.persisted);
  const invalid = checkRange(range, declared === undefined ? undefined : length, s);
  if (invalid !== undefined) {
    await discardBody(ctx.req);
    throw new ApiError('InvalidArgument', invalid);
  }
  if (range.total !== undefined) s.total = range.total;
  if (range.first === undefined) {
    await discardBody(ctx.req);
    if (range.total !== undefined && range.total === s.persisted) return finish(ctx, s);
    return answerIncomplete(ctx, s);
  }
  if (range.first > s.persisted) {
    await discardBody(ctx.req);
    throw new ApiError(
      'InvalidArgument',
      `Content-Range starts at ${range.first}; ${s.persisted} bytes are persisted.`,
    );
  }
  // Bytes the service already has are dropped; the rest extends the upload, written in place and hashed
  // as it arrives: exactly the bytes the Content-Range says will be kept (a non-final chunk up to its last
  // 256 KiB boundary). A chunk that then is not kept as planned (cut short) breaks the running hash, and
  // finishing hashes the persisted bytes again (rare: an interrupted chunk).
  const skip = s.persisted - range.first;
  const planned = range.last === undefined ? 0 : keptEnd(range.last + 1, range.total) - s.persisted;
  let hashed = 0;
  const tap = async (piece: Buffer): Promise<void> => {
    if (hashed >= planned || s.hashBroken) return;
    const part = piece.subarray(0, planned - hashed);
    hashed += part.length;
    await s.hash.update(part);
  };
  s.blob ??= await ctx.store.blobs.appendable();
  let bodyLength: number;
  try {
    bodyLength = await s.blob.write(ctx.req, s.persisted, skip, tap);
  } catch (err) {
    if (hashed > 0) s.hashBroken = true;
    throw err;
  }
  const end = range.first + bodyLength;
  const keep = keptEnd(end, range.total) - s.persisted;
  if (Math.max(0, keep) !== hashed) s.hashBroken = true;
  if (keep > 0) s.persisted += keep;
  if (range.total !== undefined && end >= range.total && s.persisted === range.total) return finish(ctx, s);
  answerIncomplete(ctx, s);
}

/** Where the persisted bytes end once a chunk ending at `end` is kept: all of a final chunk, else up to
 *  its last 256 KiB boundary. */
function keptEnd(end: number, total: number | undefined): number {
  return total !== undefined && end >= total ? end : Math.floor(end / QUANTUM) * QUANTUM;
}

async function finish(ctx: Ctx, s: ResumableSession): Promise<void> {
  if (s.hashBroken && s.blob) {
    s.hash.drop();
    s.hash = new RunningHash();
    for await (const piece of await s.blob.read(0, s.persisted)) await s.hash.update(piece as Buffer);
    s.hashBroken = false;
  }
  const hashes = await s.hash.result();
  const blob = s.blob
    ? await s.blob.commit(s.persisted, hashes)
    : await ctx.store.blobs.write(Readable.from([]), { known: hashes });
  s.blob = undefined;
  const record = await commitObject({
    store: ctx.store,
    bucket: s.bucket,
    name: s.name,
    blob,
    template: s.template,
    owner: s.owner,
    nowMs: ctx.clock.now(),
    preconditions: new Headers(s.preconditionHeaders, 'goog'),
  });
  // The session stays known as finished: a client whose final answer was lost asks again and must get
  // the object (spec 6.1), not a 404.
  s.finished = record;
  setObjectHeaders(ctx.res, record, ctx.dialect, false);
  sendEmpty(ctx, 200);
}

export async function cancelResumable(ctx: Ctx, id: string): Promise<void> {
  const s = session(ctx, id);
  if (s.finished) throw new ApiError('NoSuchUpload', 'The upload has already completed.');
  ctx.uploads.resumable.delete(id);
  s.hash.drop();
  await s.blob?.discard();
  s.blob = undefined;
  sendEmpty(ctx, 499);
}
