// The dispatch table of spec 1.2: (method, bucket?, object?, query) → handler. Kept as one readable
// function so the table and the code can be compared line by line.

import { ApiError } from './errors.js';
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from './handlers/acl.js';
import {
  BUCKET_CONFIGS,
  createBucket,
  deleteBucket,
  getBucketConfig,
  headBucket,
  listBuckets,
  putBucketConfig,
} from './handlers/buckets.js';
import { composeObject, copyObject } from './handlers/copy-compose.js';
import { listObjects } from './handlers/list-objects.js';
import {
  abortMultipart,
  completeMultipart,
  initiateMultipart,
  listParts,
  listUploads,
  uploadPart,
} from './handlers/multipart.js';
import { getObject } from './handlers/objects-read.js';
import { deleteObject, putObject } from './handlers/objects-write.js';
import { cancelResumable, putResumable, startResumable } from './handlers/resumable.js';
import type { Ctx } from './http/context.js';

const READ_CONFIGS = [...BUCKET_CONFIGS, 'location', 'storageClass'];
/** S3 bucket sub-resources the XML API does not have; tools probe them and expect an error, not a listing. */
const S3_ONLY = [
  'policy',
  'tagging',
  'website',
  'replication',
  'encryption',
  'object-lock',
  'accelerate',
  'requestPayment',
  'notification',
  'ownershipControls',
  'publicAccessBlock',
  'analytics',
  'inventory',
  'metrics',
  'intelligent-tiering',
];

export async function route(ctx: Ctx): Promise<void> {
  const { method } = ctx;
  const { bucket, object, query: q } = ctx.target;
  if (bucket === undefined) {
    if (method === 'GET' || method === 'HEAD') return listBuckets(ctx);
    throw new ApiError('MethodNotAllowed');
  }
  if (object === undefined) return routeBucket(ctx, bucket, q);

  const uploadSession = q.get('upload_id');
  if (uploadSession !== undefined) {
    if (method === 'PUT' || method === 'POST') return putResumable(ctx, uploadSession);
    if (method === 'DELETE') return cancelResumable(ctx, uploadSession);
  }
  const uploadId = q.get('uploadId');
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (q.has('acl')) return getObjectAcl(ctx, bucket, object);
      if (uploadId !== undefined) return listParts(ctx, bucket, object, uploadId);
      return getObject(ctx, bucket, object);
    case 'PUT': {
      if (q.has('acl')) return putObjectAcl(ctx, bucket, object);
      if (q.has('compose')) return composeObject(ctx, bucket, object);
      const part = q.get('partNumber');
      if (part !== undefined && uploadId !== undefined)
        return uploadPart(ctx, bucket, object, uploadId, part);
      const source = ctx.headers.get('x-goog-copy-source');
      if (source !== undefined) return copyObject(ctx, bucket, object, source);
      return putObject(ctx, bucket, object);
    }
    case 'POST':
      if (q.has('uploads')) return initiateMultipart(ctx, bucket, object);
      if (uploadId !== undefined) return completeMultipart(ctx, bucket, object, uploadId);
      if (ctx.headers.get('x-goog-resumable') === 'start') return startResumable(ctx, bucket, object);
      throw new ApiError(
        'InvalidArgument',
        'POST to an object needs x-goog-resumable: start, ?uploads or ?uploadId.',
      );
    case 'DELETE':
      if (uploadId !== undefined) return abortMultipart(ctx, bucket, object, uploadId);
      return deleteObject(ctx, bucket, object);
    default:
      throw new ApiError('MethodNotAllowed');
  }
}

async function routeBucket(ctx: Ctx, bucket: string, q: ReadonlyMap<string, string>): Promise<void> {
  if (S3_ONLY.some((s) => q.has(s))) throw new ApiError('NotImplemented');
  const acl = q.has('acl') ? 'acl' : q.has('defaultObjectAcl') ? 'defaultObjectAcl' : undefined;
  switch (ctx.method) {
    case 'GET': {
      if (acl) return getBucketAcl(ctx, bucket, acl);
      if (q.has('uploads')) return listUploads(ctx, bucket);
      const sub = READ_CONFIGS.find((c) => q.has(c));
      if (sub) return getBucketConfig(ctx, bucket, sub);
      return listObjects(ctx, bucket);
    }
    case 'HEAD':
      return headBucket(ctx, bucket);
    case 'PUT': {
      if (acl) return putBucketAcl(ctx, bucket, acl);
      const sub = READ_CONFIGS.find((c) => q.has(c));
      if (sub) return putBucketConfig(ctx, bucket, sub);
      return createBucket(ctx, bucket);
    }
    case 'DELETE':
      return deleteBucket(ctx, bucket);
    case 'POST':
      // Batch delete (S3 DeleteObjects) and HTML form uploads are not offered by the XML API here.
      throw new ApiError('NotImplemented');
    default:
      throw new ApiError('MethodNotAllowed');
  }
}
