// XML multipart uploads (spec 6.2), the S3-compatible way to upload parts in parallel: initiate, upload
// parts (re-uploading a number replaces it), complete with the ordered part list, abort, list parts and
// uploads. Nothing is visible until completion. UploadPartCopy is refused, as on the real service.

import { createHash } from 'node:crypto';
import { verifyDigests } from '../digests.js';
import { ApiError } from '../errors.js';
import type { Ctx } from '../http/context.js';
import { setObjectHeaders } from '../http/object-headers.js';
import { readText, sendEmpty, sendXml } from '../http/respond.js';
import { checkObjectName } from '../names.js';
import { aclFor, commitObject, templateFromHeaders } from '../object-template.js';
import { newUploadId, type MultipartUpload } from '../uploads/sessions.js';
import { document, el, S3_NS, wrap } from '../xml/writer.js';
import { nodes, parseBody, text } from '../xml/parse.js';
import { requireBucket } from './buckets.js';

const MIN_PART = 5 * 1024 * 1024;

function upload(ctx: Ctx, bucket: string, name: string, id: string): MultipartUpload {
  const u = ctx.uploads.multipart.get(id);
  if (!u || u.bucket !== bucket || u.name !== name) throw new ApiError('NoSuchUpload');
  return u;
}

export async function initiateMultipart(ctx: Ctx, bucket: string, name: string): Promise<void> {
  const b = requireBucket(ctx, bucket);
  checkObjectName(name);
  const template = templateFromHeaders(ctx.headers);
  aclFor(template, b, ctx.caller);
  await readText(ctx.req);
  const id = newUploadId();
  ctx.uploads.multipart.set(id, {
    kind: 'multipart',
    id,
    bucket,
    name,
    template,
    owner: ctx.caller,
    parts: new Map(),
    created: ctx.clock.now(),
  });
  const body = el('Bucket', bucket) + el('Key', name) + el('UploadId', id);
  sendXml(ctx, 200, document('InitiateMultipartUploadResult', body, S3_NS));
}

export async function uploadPart(
  ctx: Ctx,
  bucket: string,
  name: string,
  id: string,
  partText: string,
): Promise<void> {
  const u = upload(ctx, bucket, name, id);
  if (ctx.headers.has('x-goog-copy-source')) {
    throw new ApiError('NotImplemented', 'UploadPartCopy is not supported by Cloud Storage.');
  }
  const part = Number(partText);
  if (!Number.isInteger(part) || part < 1 || part > 10000) {
    throw new ApiError('InvalidArgument', `Part number must be an integer between 1 and 10000: ${partText}`);
  }
  const blob = await ctx.store.blobs.write(ctx.req);
  await verifyDigests(ctx.store, ctx.headers, blob);
  const etag = `"${Buffer.from(blob.md5, 'base64').toString('hex')}"`;
  const old = u.parts.get(part);
  u.parts.set(part, { blob: blob.id, etag, size: blob.size, modified: ctx.clock.now() });
  if (old) await ctx.store.blobs.remove(old.blob);
  ctx.res.setHeader('ETag', etag);
  sendEmpty(ctx, 200);
}

export async function completeMultipart(ctx: Ctx, bucket: string, name: string, id: string): Promise<void> {
  const u = upload(ctx, bucket, name, id);
  const request = parseBody(await readText(ctx.req), 'CompleteMultipartUpload');
  const listed = nodes(request, 'Part').map((p) => ({
    number: Number(text(p, 'PartNumber')),
    etag: (text(p, 'ETag') ?? '').replace(/"/g, ''),
  }));
  if (listed.length === 0) throw new ApiError('MalformedXML', 'The request lists no parts.');
  listed.forEach((p, i) => {
    const prev = listed[i - 1];
    if (prev && prev.number >= p.number) throw new ApiError('InvalidPartOrder');
  });
  const chosen = listed.map((p) => {
    const stored = u.parts.get(p.number);
    if (!stored || stored.etag.replace(/"/g, '') !== p.etag) throw new ApiError('InvalidPart');
    return stored;
  });
  if (chosen.slice(0, -1).some((p) => p.size < MIN_PART)) throw new ApiError('EntityTooSmall');
  // A multipart object has no MD5 (its ETag is made of the parts'): only its CRC32C is computed.
  const blob = await ctx.store.blobs.concat(
    chosen.map((p) => p.blob),
    { md5: false },
  );
  const md5s = Buffer.concat(chosen.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex')));
  const etag = `"${createHash('md5').update(md5s).digest('hex')}-${chosen.length}"`;
  const record = await commitObject({
    store: ctx.store,
    bucket,
    name,
    blob,
    template: u.template,
    owner: u.owner,
    nowMs: ctx.clock.now(),
    preconditions: ctx.headers,
    composite: { etag },
  });
  await dropUpload(ctx, u);
  setObjectHeaders(ctx.res, record, ctx.dialect, false);
  const location = `${ctx.origin}/${bucket}/${encodeURIComponent(name).replace(/%2F/g, '/')}`;
  const body = el('Location', location) + el('Bucket', bucket) + el('Key', name) + el('ETag', etag);
  sendXml(ctx, 200, document('CompleteMultipartUploadResult', body, S3_NS));
}

async function dropUpload(ctx: Ctx, u: MultipartUpload): Promise<void> {
  ctx.uploads.multipart.delete(u.id);
  for (const p of u.parts.values()) await ctx.store.blobs.remove(p.blob);
}

export async function abortMultipart(ctx: Ctx, bucket: string, name: string, id: string): Promise<void> {
  await dropUpload(ctx, upload(ctx, bucket, name, id));
  sendEmpty(ctx, 204);
}

export function listParts(ctx: Ctx, bucket: string, name: string, id: string): void {
  const u = upload(ctx, bucket, name, id);
  const marker = Number(ctx.target.query.get('part-number-marker') ?? '0');
  const max = Math.min(1000, Number(ctx.target.query.get('max-parts') ?? '1000'));
  const numbers = [...u.parts.keys()].filter((n) => n > marker).sort((a, b) => a - b);
  const page = numbers.slice(0, max);
  const truncated = numbers.length > page.length;
  const parts = page
    .map((n) => {
      const p = u.parts.get(n);
      if (!p) return '';
      const body =
        el('PartNumber', n) + el('LastModified', new Date(p.modified).toISOString()) + el('ETag', p.etag);
      return wrap('Part', body + el('Size', p.size));
    })
    .join('');
  const head =
    el('Bucket', bucket) +
    el('Key', name) +
    el('UploadId', id) +
    el('StorageClass', u.template.storageClass ?? 'STANDARD') +
    el('PartNumberMarker', marker) +
    el('NextPartNumberMarker', page.at(-1) ?? marker) +
    el('MaxParts', max) +
    el('IsTruncated', truncated);
  sendXml(ctx, 200, document('ListPartsResult', head + parts, S3_NS));
}

export function listUploads(ctx: Ctx, bucket: string): void {
  requireBucket(ctx, bucket);
  const prefix = ctx.target.query.get('prefix') ?? '';
  const uploads = [...ctx.uploads.multipart.values()]
    .filter((u) => u.bucket === bucket && u.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.created - b.created));
  const items = uploads
    .map((u) =>
      wrap(
        'Upload',
        el('Key', u.name) +
          el('UploadId', u.id) +
          el('StorageClass', u.template.storageClass ?? 'STANDARD') +
          el('Initiated', new Date(u.created).toISOString()),
      ),
    )
    .join('');
  const head =
    el('Bucket', bucket) +
    el('KeyMarker', '', true) +
    el('UploadIdMarker', '', true) +
    el('Prefix', prefix, true);
  sendXml(
    ctx,
    200,
    document(
      'ListMultipartUploadsResult',
      head + el('MaxUploads', 1000) + el('IsTruncated', false) + items,
      S3_NS,
    ),
  );
}
