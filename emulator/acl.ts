// ACLs as the emulator models them: canned ACLs (spec 5.3), the default entries a new bucket or object gets,
// and the canonical ids of callers and project teams. Ids are derived from names with a hash, so the same
// caller or project always gets the same 64-hex id across restarts.

import { createHash } from 'node:crypto';
import { ApiError } from './errors.js';
import type { AclEntry } from './store/records.js';

export const CANNED = [
  'private',
  'project-private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
] as const;
export type Canned = (typeof CANNED)[number];

/** A 64-hex canonical id shaped like the real ones (they start with 00b4903a97). */
export function canonicalId(kind: string, name: string): string {
  return `00b4903a97${createHash('sha256').update(`${kind}:${name}`).digest('hex').slice(0, 54)}`;
}

const user = (id: string, permission: AclEntry['permission']): AclEntry => ({
  scope: { type: 'UserById', id },
  permission,
});
const team = (project: string, t: string, permission: AclEntry['permission']): AclEntry => ({
  scope: { type: 'GroupById', id: canonicalId(`project-${t}`, project) },
  permission,
});

export interface CannedContext {
  owner: string;
  project: string;
  /** Owner of the bucket an object lives in (bucket-owner-* canned ACLs). */
  bucketOwner: string;
  target: 'bucket' | 'object';
}

export function cannedAcl(name: string, c: CannedContext): AclEntry[] {
  if (!(CANNED as readonly string[]).includes(name)) {
    throw new ApiError('InvalidArgument', `Invalid canned ACL: ${name}`);
  }
  const owner = user(c.owner, 'FULL_CONTROL');
  switch (name as Canned) {
    case 'private':
      return [owner];
    case 'project-private':
      return [
        owner,
        team(c.project, 'owners', 'FULL_CONTROL'),
        team(c.project, 'editors', 'FULL_CONTROL'),
        team(c.project, 'viewers', 'READ'),
      ];
    case 'public-read':
      return [owner, { scope: { type: 'AllUsers' }, permission: 'READ' }];
    case 'public-read-write':
      if (c.target === 'object') {
        throw new ApiError('InvalidArgument', 'public-read-write cannot be applied to objects.');
      }
      return [
        owner,
        { scope: { type: 'AllUsers' }, permission: 'READ' },
        { scope: { type: 'AllUsers' }, permission: 'WRITE' },
      ];
    case 'authenticated-read':
      return [owner, { scope: { type: 'AllAuthenticatedUsers' }, permission: 'READ' }];
    case 'bucket-owner-read':
      return c.owner === c.bucketOwner ? [owner] : [owner, user(c.bucketOwner, 'READ')];
    case 'bucket-owner-full-control':
      return c.owner === c.bucketOwner ? [owner] : [owner, user(c.bucketOwner, 'FULL_CONTROL')];
  }
}

/** A default object ACL holds no owner entry: each new object's creator is its owner. */
export function defaultObjectAcl(canned: string, c: Omit<CannedContext, 'target'>): AclEntry[] {
  return cannedAcl(canned, { ...c, target: 'object' }).slice(1);
}

/** The ACL a new object gets from its bucket's default object ACL. */
export function aclFromDefault(defaults: readonly AclEntry[], owner: string): AclEntry[] {
  const others = defaults.filter((e) => !(e.scope.type === 'UserById' && e.scope.id === owner));
  return [user(owner, 'FULL_CONTROL'), ...others];
}

/** Anyone (even anonymous callers) may read under this ACL. */
export function isPublicRead(acl: readonly AclEntry[]): boolean {
  return acl.some((e) => e.scope.type === 'AllUsers' && e.permission !== 'WRITE');
}
