// Bucket operations over the XML API (spec 3.1-3.4): list (GET / with x-goog-project-id), create (PUT with
// an optional CreateBucketConfiguration), head and delete. Create is not retried on transient failures (a
// repeat could report our own success as 'already-exists'); delete is, and a 'bucket-not-found' after an
// attempt whose answer was lost is read as our own success.

import { defined } from '../../common/defined.js';
import type { CallOptions, CreateBucketOptions } from '../backend.js';
import { StorageError, isStorageError } from '../errors.js';
import type { BucketMeta } from '../types.js';
import { parseListAllMyBucketsResult } from '../xml/list-all-my-buckets.js';
import { element, XML_DECLARATION } from '../xml/parser.js';
import { callEmpty, callText } from './exchange.js';
import type { CallSpec, ClientContext } from './exchange.js';
import { outcomeUnknown } from './retry.js';
import { retriedDelete } from './retried-delete.js';

export function bucketPath(bucket: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(bucket)) {
    throw new StorageError('invalid-name', `invalid bucket name ${JSON.stringify(bucket)}`, { bucket });
  }
  return `/${bucket}`;
}

function projectHeader(ctx: ClientContext, project: string | undefined): Record<string, string> {
  const p = project ?? ctx.project;
  return p === undefined ? {} : { 'x-goog-project-id': p };
}

export async function listBuckets(
  ctx: ClientContext,
  options: CallOptions & { project?: string } = {},
): Promise<BucketMeta[]> {
  const { text } = await callText(ctx, {
    method: 'GET',
    path: '/',
    headers: projectHeader(ctx, options.project),
    safety: { kind: 'read' },
    signal: options.signal,
  });
  return parseListAllMyBucketsResult(text);
}

export async function createBucket(
  ctx: ClientContext,
  name: string,
  options: CreateBucketOptions = {},
): Promise<void> {
  const headers = projectHeader(ctx, options.project);
  if (options.cannedAcl !== undefined) headers['x-goog-acl'] = options.cannedAcl;
  let body: Buffer | undefined;
  if (options.location !== undefined || options.storageClass !== undefined) {
    const inner =
      (options.location === undefined ? '' : element('LocationConstraint', options.location)) +
      (options.storageClass === undefined ? '' : element('StorageClass', options.storageClass));
    body = Buffer.from(`${XML_DECLARATION}<CreateBucketConfiguration>${inner}</CreateBucketConfiguration>`);
    headers['content-type'] = 'application/xml';
  }
  await callEmpty(ctx, {
    method: 'PUT',
    path: bucketPath(name),
    headers,
    ...defined({ body }),
    safety: { kind: 'create-bucket' },
    errorContext: { resource: 'bucket', bucket: name },
    signal: options.signal,
  });
}

export async function headBucket(ctx: ClientContext, name: string, options: CallOptions = {}): Promise<void> {
  await callEmpty(ctx, {
    method: 'HEAD',
    path: bucketPath(name),
    safety: { kind: 'read' },
    errorContext: { resource: 'bucket', bucket: name },
    signal: options.signal,
  });
}

/** Deletes an empty bucket, retried (retry-policy.ts isIdempotent says why that is safe). After an attempt
 *  whose outcome was lost, 'bucket-not-found' means that attempt deleted it; when the last attempt's outcome
 *  is unknown, one HEAD settles it (gone: success). Without a lost outcome a 404 is the truth. */
export async function deleteBucket(
  ctx: ClientContext,
  name: string,
  options: CallOptions = {},
): Promise<void> {
  const spec: CallSpec = {
    method: 'DELETE',
    path: bucketPath(name),
    safety: { kind: 'delete-bucket' },
    errorContext: { resource: 'bucket', bucket: name },
    signal: options.signal,
  };
  const { failure: e, lost } = await retriedDelete(ctx, spec);
  if (e === undefined) return;
  if (!lost || !isStorageError(e)) throw e;
  if (e.code === 'bucket-not-found') return;
  if (!outcomeUnknown(e)) throw e;
  const gone = await headBucket(ctx, name, options).then(
    () => false,
    (h: unknown) => isStorageError(h, 'bucket-not-found'),
  );
  if (!gone) throw e;
}
