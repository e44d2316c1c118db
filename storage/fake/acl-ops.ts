// ACL reads and writes on the fake's stored state: bucket, default-object and object ACLs, documents or
// canned names. Setting an object's ACL bumps its metageneration (spec §4.9); bucket-level changes bump
// the bucket's. Preconditions are checked before anything changes.

import { StorageError } from '../errors.js';
import type { Acl, AclTarget, CannedAcl, Preconditions } from '../types.js';
import { cannedAcl, cloneAcl, defaultObjectAcl } from './canned-acls.js';
import type { AclParties } from './canned-acls.js';
import { checkPreconditions } from './object-helpers.js';
import { objectOf } from './store.js';
import type { StoredBucket } from './store.js';

export function readAcl(b: StoredBucket, target: AclTarget): Acl {
  switch (target.kind) {
    case 'bucket':
      return cloneAcl(b.acl);
    case 'default-object':
      return cloneAcl(b.defaultObjectAcl);
    case 'object':
      return cloneAcl(objectOf(b, target.name, target.generation).acl);
  }
}

function checkBucketPreconditions(b: StoredBucket, options: Preconditions): void {
  if (options.ifGenerationMatch !== undefined) {
    throw new StorageError('invalid-argument', 'buckets have no generation', { bucket: b.meta.name });
  }
  const mg = options.ifMetagenerationMatch;
  if (mg !== undefined && mg !== String(b.metageneration)) {
    throw new StorageError('precondition-failed', `bucket metageneration is ${b.metageneration}, not ${mg}`, {
      bucket: b.meta.name,
      status: 412,
      serviceCode: 'PreconditionFailed',
    });
  }
}

export function writeAcl(
  b: StoredBucket,
  target: AclTarget,
  acl: Acl | CannedAcl,
  options: Preconditions,
  parties: AclParties,
  now: number,
): void {
  const expand = (kind: 'bucket' | 'object'): Acl =>
    typeof acl === 'string' ? cannedAcl(acl, kind, parties) : cloneAcl(acl);
  switch (target.kind) {
    case 'bucket':
      checkBucketPreconditions(b, options);
      b.acl = expand('bucket');
      b.metageneration++;
      return;
    case 'default-object':
      checkBucketPreconditions(b, options);
      b.defaultObjectAcl = typeof acl === 'string' ? defaultObjectAcl(acl, parties) : cloneAcl(acl);
      b.metageneration++;
      return;
    case 'object': {
      const o = objectOf(b, target.name, target.generation);
      checkPreconditions(o.meta, options, target.bucket, target.name);
      o.acl = expand('object');
      o.meta = {
        ...o.meta,
        metageneration: String(Number(o.meta.metageneration) + 1),
        updated: new Date(now),
      };
      return;
    }
  }
}
