// The metadata a new object takes from request headers (spec 4.1), captured once: a single PUT uses it at
// once, a resumable or multipart upload keeps it from the start request until the bytes are complete.
// commitObject turns a finished blob plus a template into a published object, re-checking preconditions
// in the same turn as the store update.

import { aclFromDefault, cannedAcl } from './acl.js';
import { ApiError, noSuchBucket } from './errors.js';
import type { Headers } from './http/headers.js';
import { checkGenerationMatch } from './preconditions.js';
import type { AclEntry, BlobInfo, BucketRecord, ObjectRecord } from './store/records.js';
import type { Store } from './store/store.js';

export interface ObjectTemplate {
  contentType?: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  storageClass?: string;
  customTime?: string;
  metadata: Record<string, string>;
  cannedAcl?: string;
}

const METADATA_LIMIT = 8 * 1024;
const STORAGE_CLASSES = [
  'STANDARD',
  'NEARLINE',
  'COLDLINE',
  'ARCHIVE',
  'MULTI_REGIONAL',
  'REGIONAL',
  'DURABLE_REDUCED_AVAILABILITY',
];

/** Object fields a template carries as they are (the rest: metadata, storage class, ACL). */
const HEADER_FIELDS = [
  'contentType',
  'contentEncoding',
  'cacheControl',
  'contentDisposition',
  'contentLanguage',
  'customTime',
] as const;

/** Copies the header-borne fields that are set from one object or template to another. */
export function copyHeaderFields(
  from: Pick<ObjectTemplate, (typeof HEADER_FIELDS)[number]>,
  to: Pick<ObjectTemplate, (typeof HEADER_FIELDS)[number]>,
): void {
  for (const k of HEADER_FIELDS) {
    const v = from[k];
    if (v !== undefined) to[k] = v;
  }
}

export function templateFromHeaders(h: Headers): ObjectTemplate {
  const t: ObjectTemplate = { metadata: h.metadata() };
  const size = Object.entries(t.metadata).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  if (size > METADATA_LIMIT) throw new ApiError('MetadataTooLarge');
  const set = (key: Exclude<keyof ObjectTemplate, 'metadata'>, header: string): void => {
    const v = h.get(header);
    if (v !== undefined && v !== '') t[key] = v;
  };
  set('contentType', 'content-type');
  set('contentEncoding', 'content-encoding');
  set('cacheControl', 'cache-control');
  set('contentDisposition', 'content-disposition');
  set('contentLanguage', 'content-language');
  set('storageClass', 'x-goog-storage-class');
  set('customTime', 'x-goog-custom-time');
  set('cannedAcl', 'x-goog-acl');
  if (t.storageClass !== undefined && !STORAGE_CLASSES.includes(t.storageClass.toUpperCase())) {
    throw new ApiError('InvalidArgument', `Invalid storage class: ${t.storageClass}`);
  }
  return t;
}

/** Works out the ACL now so a bad canned name fails before any byte is read. */
export function aclFor(t: ObjectTemplate, bucket: BucketRecord, owner: string): AclEntry[] {
  if (t.cannedAcl === undefined) return aclFromDefault(bucket.defaultObjectAcl, owner);
  return cannedAcl(t.cannedAcl, {
    owner,
    project: bucket.project,
    bucketOwner: bucket.owner,
    target: 'object',
  });
}

export interface CommitRequest {
  store: Store;
  bucket: string;
  name: string;
  blob: BlobInfo;
  template: ObjectTemplate;
  owner: string;
  nowMs: number;
  /** Preconditions on the destination, re-checked here (headers of the request that carried them). */
  preconditions: Headers;
  /** Composite and multipart objects have no MD5 and an opaque ETag. */
  composite?: { componentCount?: number; etag: string };
}

export async function commitObject(c: CommitRequest): Promise<ObjectRecord> {
  const bucket = c.store.bucket(c.bucket);
  if (!bucket) {
    await c.store.blobs.remove(c.blob.id);
    throw noSuchBucket(c.bucket);
  }
  try {
    checkGenerationMatch(c.preconditions, c.store.object(c.bucket, c.name));
  } catch (err) {
    await c.store.blobs.remove(c.blob.id);
    throw err;
  }
  const t = c.template;
  const record: ObjectRecord = {
    bucket: c.bucket,
    name: c.name,
    generation: c.store.nextGeneration(c.nowMs),
    metageneration: 1,
    size: c.blob.size,
    crc32c: c.blob.crc32c,
    etag: c.composite ? c.composite.etag : `"${Buffer.from(c.blob.md5, 'base64').toString('hex')}"`,
    storageClass: (t.storageClass ?? bucket.storageClass).toUpperCase(),
    metadata: t.metadata,
    created: c.nowMs,
    updated: c.nowMs,
    owner: c.owner,
    acl: aclFor(t, bucket, c.owner),
    blob: c.blob.id,
  };
  if (!c.composite) record.md5 = c.blob.md5;
  if (c.composite?.componentCount !== undefined) record.componentCount = c.composite.componentCount;
  copyHeaderFields(t, record);
  await c.store.putObject(record);
  return record;
}
