// Service and bucket operations (spec 3.1-3.4, 3.6): list, create, head, delete, and the configuration
// sub-resources, which are stored verbatim (location and storageClass are answered from the record).

import { cannedAcl, defaultObjectAcl } from '../acl.js';
import { ApiError, noSuchBucket } from '../errors.js';
import type { Ctx } from '../http/context.js';
import { readText, sendEmpty, sendXml } from '../http/respond.js';
import { checkBucketName } from '../names.js';
import type { BucketRecord } from '../store/records.js';
import { document, el, GCS_LIST_NS, wrap } from '../xml/writer.js';
import { child, parseBody, text } from '../xml/parse.js';

/** Configuration sub-resources kept as documents (spec 3.6). */
export const BUCKET_CONFIGS = [
  'cors',
  'lifecycle',
  'logging',
  'versioning',
  'websiteConfig',
  'billing',
  'encryptionConfig',
];

export function requireBucket(ctx: Ctx, name: string): BucketRecord {
  const b = ctx.store.bucket(name);
  if (!b) throw noSuchBucket(name);
  return b;
}

export function listBuckets(ctx: Ctx): void {
  const project = ctx.headers.get('x-goog-project-id') ?? ctx.project;
  const buckets = ctx.store
    .listBuckets()
    .filter((b) => b.project === project)
    .map((b) => wrap('Bucket', el('Name', b.name) + el('CreationDate', new Date(b.created).toISOString())))
    .join('');
  const owner = wrap('Owner', el('ID', ctx.caller) + el('DisplayName', '', true));
  sendXml(ctx, 200, document('ListAllMyBucketsResult', owner + wrap('Buckets', buckets), GCS_LIST_NS));
}

export async function createBucket(ctx: Ctx, name: string): Promise<void> {
  checkBucketName(name);
  const body = await readText(ctx.req);
  let location = 'US';
  let storageClass = 'STANDARD';
  if (body.trim() !== '') {
    const config = parseBody(body, 'CreateBucketConfiguration');
    location = text(config, 'LocationConstraint') ?? location;
    storageClass = (text(config, 'StorageClass') ?? storageClass).toUpperCase();
  }
  const existing = ctx.store.bucket(name);
  if (existing) {
    throw new ApiError(existing.owner === ctx.caller ? 'BucketAlreadyOwnedByYou' : 'BucketNameUnavailable');
  }
  const project = ctx.headers.get('x-goog-project-id') ?? ctx.project;
  const context = { owner: ctx.caller, project, bucketOwner: ctx.caller };
  const record: BucketRecord = {
    name,
    project,
    created: ctx.clock.now(),
    location: location.toUpperCase(),
    storageClass,
    owner: ctx.caller,
    acl: cannedAcl(ctx.headers.get('x-goog-acl') ?? 'project-private', { ...context, target: 'bucket' }),
    defaultObjectAcl: defaultObjectAcl('project-private', context),
    metageneration: 1,
    config: {},
  };
  await ctx.store.createBucket(record);
  sendEmpty(ctx, 200);
}

export function headBucket(ctx: Ctx, name: string): void {
  requireBucket(ctx, name);
  sendEmpty(ctx, 200);
}

export async function deleteBucket(ctx: Ctx, name: string): Promise<void> {
  requireBucket(ctx, name);
  const pendingUploads = [...ctx.uploads.multipart.values()].some((u) => u.bucket === name);
  if (ctx.store.names(name).length > 0 || pendingUploads) throw new ApiError('BucketNotEmpty');
  await ctx.store.deleteBucket(name);
  sendEmpty(ctx, 204);
}

export function getBucketConfig(ctx: Ctx, name: string, sub: string): void {
  const b = requireBucket(ctx, name);
  if (sub === 'location')
    return sendXml(ctx, 200, document('LocationConstraint', b.location.replace(/[<&>]/g, '')));
  if (sub === 'storageClass') return sendXml(ctx, 200, document('StorageClass', b.storageClass));
  const stored = b.config[sub];
  if (stored !== undefined) return sendXml(ctx, 200, stored);
  sendXml(ctx, 200, document(EMPTY_CONFIG_ROOT[sub] ?? sub, ''));
}

const EMPTY_CONFIG_ROOT: Record<string, string> = {
  cors: 'CorsConfig',
  lifecycle: 'LifecycleConfiguration',
  logging: 'Logging',
  versioning: 'VersioningConfiguration',
  websiteConfig: 'WebsiteConfiguration',
  billing: 'BillingConfiguration',
  encryptionConfig: 'EncryptionConfiguration',
};

export async function putBucketConfig(ctx: Ctx, name: string, sub: string): Promise<void> {
  const b = requireBucket(ctx, name);
  const body = await readText(ctx.req);
  const root = EMPTY_CONFIG_ROOT[sub];
  if (root === undefined) {
    if (sub !== 'storageClass') throw new ApiError('NotImplemented');
    const sc = /<StorageClass>\s*([A-Za-z_]+)\s*<\/StorageClass>/.exec(body)?.[1];
    if (sc === undefined) throw new ApiError('MalformedXML');
    b.storageClass = sc.toUpperCase();
  } else {
    const parsed = parseBody(body, root);
    if (sub === 'versioning' && child(parsed, 'Status') === 'Enabled') {
      // Versioning (noncurrent generations) is not emulated; saying yes would promise what is not kept.
      throw new ApiError('NotImplemented', 'The emulator does not keep noncurrent object versions.');
    }
    b.config[sub] = body;
  }
  b.metageneration += 1;
  await ctx.store.updateBucket(b);
  sendEmpty(ctx, 200);
}
