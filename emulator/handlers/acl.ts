// ACL sub-resources (spec 4.9, 3.6, 5): object ACL, bucket ACL and default object ACL, read and replaced
// whole, either from an ACL document or from a canned name in x-goog-acl with an empty body. A change
// bumps the metageneration, which is what makes metageneration preconditions useful.

import { cannedAcl, defaultObjectAcl } from '../acl.js';
import { ApiError } from '../errors.js';
import type { Ctx } from '../http/context.js';
import { readText, sendEmpty, sendXml } from '../http/respond.js';
import { checkGenerationMatch } from '../preconditions.js';
import type { AclEntry } from '../store/records.js';
import { aclDocument, parseAcl } from '../xml/acl-xml.js';
import { requireBucket } from './buckets.js';
import { requireObject } from './objects-read.js';

async function requestedAcl(ctx: Ctx, canned: (name: string) => AclEntry[]): Promise<AclEntry[]> {
  const body = await readText(ctx.req);
  if (body.trim() !== '') return parseAcl(body);
  const name = ctx.headers.get('x-goog-acl');
  if (name === undefined) throw new ApiError('MissingRequestBodyError');
  return canned(name);
}

export function getObjectAcl(ctx: Ctx, bucket: string, name: string): void {
  const o = requireObject(ctx, bucket, name);
  sendXml(ctx, 200, aclDocument(o.owner, o.acl, ctx.dialect));
}

export async function putObjectAcl(ctx: Ctx, bucket: string, name: string): Promise<void> {
  const b = requireBucket(ctx, bucket);
  const o = requireObject(ctx, bucket, name);
  checkGenerationMatch(ctx.headers, o);
  const acl = await requestedAcl(ctx, (canned) =>
    cannedAcl(canned, { owner: o.owner, project: b.project, bucketOwner: b.owner, target: 'object' }),
  );
  // Re-read after the body: the object may have changed meanwhile; the precondition must hold on commit.
  const live = requireObject(ctx, bucket, name);
  checkGenerationMatch(ctx.headers, live);
  await ctx.store.putObject({
    ...live,
    acl,
    metageneration: live.metageneration + 1,
    updated: ctx.clock.now(),
  });
  sendEmpty(ctx, 200);
}

export function getBucketAcl(ctx: Ctx, bucket: string, which: 'acl' | 'defaultObjectAcl'): void {
  const b = requireBucket(ctx, bucket);
  sendXml(ctx, 200, aclDocument(b.owner, which === 'acl' ? b.acl : b.defaultObjectAcl, ctx.dialect));
}

export async function putBucketAcl(
  ctx: Ctx,
  bucket: string,
  which: 'acl' | 'defaultObjectAcl',
): Promise<void> {
  const b = requireBucket(ctx, bucket);
  const context = { owner: b.owner, project: b.project, bucketOwner: b.owner };
  const acl = await requestedAcl(ctx, (canned) =>
    which === 'acl' ? cannedAcl(canned, { ...context, target: 'bucket' }) : defaultObjectAcl(canned, context),
  );
  const live = requireBucket(ctx, bucket);
  await ctx.store.updateBucket({ ...live, [which]: acl, metageneration: live.metageneration + 1 });
  sendEmpty(ctx, 200);
}
