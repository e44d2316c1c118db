// Server-side copy (spec 4.7) and compose (4.8). Both make a new generation from existing bytes without
// the client sending any; a copy with COPY keeps the source's metadata, REPLACE takes the request's.

import { createHash } from 'node:crypto';
import { ApiError, noSuchKey } from '../errors.js';
import type { Ctx } from '../http/context.js';
import { setObjectHeaders } from '../http/object-headers.js';
import { readText, sendEmpty, sendXml } from '../http/respond.js';
import { checkObjectName } from '../names.js';
import {
  aclFor,
  commitObject,
  copyHeaderFields,
  templateFromHeaders,
  type ObjectTemplate,
} from '../object-template.js';
import { checkCopySourceConditions, checkGenerationMatch } from '../preconditions.js';
import type { ObjectRecord } from '../store/records.js';
import { document, el } from '../xml/writer.js';
import { nodes, parseBody, text } from '../xml/parse.js';
import { requireBucket } from './buckets.js';

function parseSource(raw: string): { bucket: string; name: string; generation?: string } {
  const [pathPart = '', query = ''] = raw.split('?');
  const trimmed = pathPart.replace(/^\//, '');
  const slash = trimmed.indexOf('/');
  if (slash <= 0) throw new ApiError('InvalidArgument', `Invalid copy source: ${raw}`);
  let name: string;
  try {
    name = decodeURIComponent(trimmed.slice(slash + 1));
  } catch {
    throw new ApiError('InvalidArgument', `Invalid copy source: ${raw}`);
  }
  const generation = /(?:^|&)(?:generation|versionId)=(\d+)/.exec(query)?.[1];
  return { bucket: trimmed.slice(0, slash), name, ...(generation ? { generation } : {}) };
}

function templateOf(o: ObjectRecord): ObjectTemplate {
  const t: ObjectTemplate = { metadata: { ...o.metadata } };
  copyHeaderFields(o, t);
  return t;
}

export async function copyObject(
  ctx: Ctx,
  bucket: string,
  name: string,
  sourceHeader: string,
): Promise<void> {
  const destBucket = requireBucket(ctx, bucket);
  checkObjectName(name);
  const source = parseSource(sourceHeader);
  const generation = ctx.headers.get('x-goog-copy-source-generation') ?? source.generation;
  if (!ctx.store.bucket(source.bucket))
    throw new ApiError('NoSuchBucket', `No such bucket: ${source.bucket}`);
  const src = ctx.store.object(source.bucket, source.name);
  if (!src || (generation !== undefined && generation !== src.generation))
    throw noSuchKey(source.bucket, source.name);
  const directive = (ctx.headers.get('x-goog-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new ApiError('InvalidArgument', `Invalid metadata directive: ${directive}`);
  }
  if (source.bucket === bucket && source.name === name && directive !== 'REPLACE') {
    throw new ApiError(
      'InvalidArgument',
      'Copying an object onto itself requires x-goog-metadata-directive: REPLACE.',
    );
  }
  checkCopySourceConditions(ctx.headers, src);
  checkGenerationMatch(ctx.headers, ctx.store.object(bucket, name));
  const fromRequest = templateFromHeaders(ctx.headers);
  const template = directive === 'REPLACE' ? fromRequest : templateOf(src);
  if (fromRequest.cannedAcl !== undefined) template.cannedAcl = fromRequest.cannedAcl;
  if (fromRequest.storageClass !== undefined) template.storageClass = fromRequest.storageClass;
  else template.storageClass = src.storageClass;
  aclFor(template, destBucket, ctx.caller);
  await readText(ctx.req);
  const id = await ctx.store.blobs.clone(src.blob);
  const record = await commitObject({
    store: ctx.store,
    bucket,
    name,
    blob: { id, size: src.size, md5: src.md5 ?? '', crc32c: src.crc32c },
    template,
    owner: ctx.caller,
    nowMs: ctx.clock.now(),
    preconditions: ctx.headers,
    ...(src.md5 === undefined
      ? {
          composite: {
            etag: src.etag,
            ...(src.componentCount ? { componentCount: src.componentCount } : {}),
          },
        }
      : {}),
  });
  setObjectHeaders(ctx.res, record, ctx.dialect, false);
  const result = el('LastModified', new Date(record.updated).toISOString()) + el('ETag', record.etag);
  sendXml(ctx, 200, document('CopyObjectResult', result));
}

export async function composeObject(ctx: Ctx, bucket: string, name: string): Promise<void> {
  requireBucket(ctx, bucket);
  checkObjectName(name);
  const request = parseBody(await readText(ctx.req), 'ComposeRequest');
  const components = nodes(request, 'Component');
  if (components.length < 1 || components.length > 32) {
    throw new ApiError('InvalidArgument', 'A compose request needs 1 to 32 components.');
  }
  const sources = components.map((c) => {
    const n = text(c, 'Name');
    if (n === undefined || n === '') throw new ApiError('InvalidArgument', 'Component without Name');
    const o = ctx.store.object(bucket, n);
    const gen = text(c, 'Generation');
    if (!o || (gen !== undefined && gen !== o.generation)) throw noSuchKey(bucket, n);
    const ifGen = text(c, 'IfGenerationMatch');
    if (ifGen !== undefined && ifGen !== o.generation) throw new ApiError('PreconditionFailed');
    return o;
  });
  const template = templateFromHeaders(ctx.headers);
  checkGenerationMatch(ctx.headers, ctx.store.object(bucket, name));
  // A composite object has no MD5: only its CRC32C is computed.
  const blob = await ctx.store.blobs.concat(
    sources.map((s) => s.blob),
    { md5: false },
  );
  const componentCount = sources.reduce((n, s) => n + (s.componentCount ?? 1), 0);
  if (componentCount > 1024) {
    await ctx.store.blobs.remove(blob.id);
    throw new ApiError('InvalidArgument', 'A composite object may have at most 1024 components.');
  }
  const etag = `"${createHash('md5').update(`${blob.crc32c}/${componentCount}/${blob.size}`).digest('base64url')}"`;
  const record = await commitObject({
    store: ctx.store,
    bucket,
    name,
    blob,
    template,
    owner: ctx.caller,
    nowMs: ctx.clock.now(),
    preconditions: ctx.headers,
    composite: { etag, componentCount },
  });
  setObjectHeaders(ctx.res, record, ctx.dialect, false);
  sendEmpty(ctx, 200);
}
