// The fake's stored state (buckets holding live objects with their ACLs) and the lookups every operation
// starts with, which raise the documented not-found codes. No operation logic lives here.

import { StorageError } from '../errors.js';
import type { Acl, BucketMeta, Generation, ObjectMeta } from '../types.js';

export interface StoredObject {
  meta: ObjectMeta;
  data: Buffer;
  acl: Acl;
}

export interface StoredBucket {
  meta: BucketMeta;
  project: string;
  location: string;
  storageClass: string;
  /** Bumped by bucket and default-object ACL changes (for ifMetagenerationMatch on bucket ACLs). */
  metageneration: number;
  acl: Acl;
  defaultObjectAcl: Acl;
  objects: Map<string, StoredObject>;
}

export function bucketOf(buckets: ReadonlyMap<string, StoredBucket>, name: string): StoredBucket {
  const b = buckets.get(name);
  if (b === undefined) {
    throw new StorageError('bucket-not-found', `bucket ${name} does not exist`, {
      bucket: name,
      status: 404,
      serviceCode: 'NoSuchBucket',
    });
  }
  return b;
}

/** The live object, which must be `generation` when one is asked for. */
export function objectOf(bucket: StoredBucket, name: string, generation?: Generation): StoredObject {
  const o = bucket.objects.get(name);
  if (o === undefined || (generation !== undefined && o.meta.generation !== generation)) {
    throw new StorageError('not-found', `no such object: ${bucket.meta.name}/${name}`, {
      bucket: bucket.meta.name,
      object: name,
      status: 404,
      serviceCode: 'NoSuchKey',
    });
  }
  return o;
}
