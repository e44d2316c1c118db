// Object PUT (single-request upload, spec 4.1) and DELETE (4.6). The body streams into a blob; the object
// appears only when the blob is complete, its digests check out and the preconditions still hold.

import { verifyDigests } from '../digests.js';
import { ApiError } from '../errors.js';
import type { Ctx } from '../http/context.js';
import { setObjectHeaders } from '../http/object-headers.js';
import { sendEmpty } from '../http/respond.js';
import { checkObjectName } from '../names.js';
import { aclFor, commitObject, templateFromHeaders } from '../object-template.js';
import { checkGenerationMatch } from '../preconditions.js';
import { requireBucket } from './buckets.js';
import { requireObject } from './objects-read.js';

export async function putObject(ctx: Ctx, bucket: string, name: string): Promise<void> {
  const b = requireBucket(ctx, bucket);
  checkObjectName(name);
  const template = templateFromHeaders(ctx.headers);
  aclFor(template, b, ctx.caller);
  checkGenerationMatch(ctx.headers, ctx.store.object(bucket, name));
  const declared = ctx.headers.get('content-length');
  const chunked = /chunked/i.test(ctx.headers.get('transfer-encoding') ?? '');
  if (declared === undefined && !chunked) throw new ApiError('MissingContentLength');
  const blob = await ctx.store.blobs.write(ctx.req);
  if (declared !== undefined && Number(declared) !== blob.size) {
    await ctx.store.blobs.remove(blob.id);
    throw new ApiError('IncompleteBody');
  }
  await verifyDigests(ctx.store, ctx.headers, blob);
  const record = await commitObject({
    store: ctx.store,
    bucket,
    name,
    blob,
    template,
    owner: ctx.caller,
    nowMs: ctx.clock.now(),
    preconditions: ctx.headers,
  });
  // No Location header: boto re-sends a PUT whose response carries one.
  setObjectHeaders(ctx.res, record, ctx.dialect, false);
  sendEmpty(ctx, 200);
}

export async function deleteObject(ctx: Ctx, bucket: string, name: string): Promise<void> {
  const o = requireObject(ctx, bucket, name);
  checkGenerationMatch(ctx.headers, o);
  await ctx.store.deleteObject(bucket, name);
  sendEmpty(ctx, 204);
}
