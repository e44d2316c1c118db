// What the canned ACLs (spec §5.3) and the default ACLs of new buckets and objects expand to, as
// documents in the Acl model. Project teams are GroupById entries, as the XML API shows them; their IDs
// are derived from the project so that tests can predict them. Pure functions; the fake stores results.

import { createHash } from 'node:crypto';
import { StorageError } from '../errors.js';
import type { Acl, AclEntry, CannedAcl } from '../types.js';

/** Canonical IDs look like GCS's: 64 hex digits starting `00b4903a97`. The seeds match the emulator's
 *  (`kind:name`), so the fake and the emulator name the same project teams alike. */
export function canonicalId(seed: string): string {
  return `00b4903a97${createHash('sha256').update(seed).digest('hex').slice(0, 54)}`;
}

export interface ProjectTeams {
  owners: string;
  editors: string;
  viewers: string;
}

export function projectTeams(project: string): ProjectTeams {
  return {
    owners: canonicalId(`project-owners:${project}`),
    editors: canonicalId(`project-editors:${project}`),
    viewers: canonicalId(`project-viewers:${project}`),
  };
}

export interface AclParties {
  /** Owner of the bucket or object the ACL is for. */
  owner: string;
  /** Owner of the enclosing bucket (objects only). */
  bucketOwner: string;
  project: string;
}

const OBJECT_ONLY: readonly CannedAcl[] = ['bucket-owner-read', 'bucket-owner-full-control'];
const BUCKET_ONLY: readonly CannedAcl[] = ['public-read-write'];

/** Expands a canned ACL; 'invalid-argument' when it does not apply to that kind of resource. */
export function cannedAcl(canned: CannedAcl, kind: 'bucket' | 'object', parties: AclParties): Acl {
  if (
    (kind === 'bucket' && OBJECT_ONLY.includes(canned)) ||
    (kind === 'object' && BUCKET_ONLY.includes(canned))
  ) {
    throw new StorageError('invalid-argument', `canned ACL ${canned} does not apply to ${kind}s`, {
      serviceCode: 'InvalidArgument',
    });
  }
  const owner: AclEntry = { scope: { type: 'UserById', id: parties.owner }, permission: 'FULL_CONTROL' };
  const entries: AclEntry[] = [owner];
  const teams = projectTeams(parties.project);
  const bucketOwner = (permission: AclEntry['permission']): void => {
    if (parties.bucketOwner !== parties.owner) {
      entries.push({ scope: { type: 'UserById', id: parties.bucketOwner }, permission });
    }
  };
  switch (canned) {
    case 'private':
      break;
    case 'project-private':
      entries.push(
        { scope: { type: 'GroupById', id: teams.owners }, permission: 'FULL_CONTROL' },
        { scope: { type: 'GroupById', id: teams.editors }, permission: 'FULL_CONTROL' },
        { scope: { type: 'GroupById', id: teams.viewers }, permission: 'READ' },
      );
      break;
    case 'public-read':
      entries.push({ scope: { type: 'AllUsers' }, permission: 'READ' });
      break;
    case 'public-read-write':
      entries.push(
        { scope: { type: 'AllUsers' }, permission: 'READ' },
        { scope: { type: 'AllUsers' }, permission: 'WRITE' },
      );
      break;
    case 'authenticated-read':
      entries.push({ scope: { type: 'AllAuthenticatedUsers' }, permission: 'READ' });
      break;
    case 'bucket-owner-read':
      bucketOwner('READ');
      break;
    case 'bucket-owner-full-control':
      bucketOwner('FULL_CONTROL');
      break;
  }
  return { owner: { id: parties.owner }, entries };
}

/** A default object ACL holds no owner entry (each object's creator owns it): the canned entries minus
 *  the owner's, with the bucket owner as the document's owner. */
export function defaultObjectAcl(canned: CannedAcl, parties: AclParties): Acl {
  const acl = cannedAcl(canned, 'object', parties);
  return { owner: { id: parties.bucketOwner }, entries: acl.entries.slice(1) };
}

/** A new object's ACL from its bucket's default: the writer gets FULL_CONTROL first, then the defaults
 *  (minus any entry of the writer's own, which the first one replaces). */
export function aclFromDefault(defaults: Acl, owner: string): Acl {
  const others = defaults.entries.filter((e) => !(e.scope.type === 'UserById' && e.scope.id === owner));
  return {
    owner: { id: owner },
    entries: [
      { scope: { type: 'UserById', id: owner }, permission: 'FULL_CONTROL' },
      ...cloneAcl({ entries: others }).entries,
    ],
  };
}

export function cloneAcl(acl: Acl): Acl {
  const copy: Acl = {
    entries: acl.entries.map((e) => ({ scope: { ...e.scope }, permission: e.permission })),
  };
  if (acl.owner !== undefined) copy.owner = { ...acl.owner };
  return copy;
}
