// A plain ObjectMeta fixture for tests of the caches, which store metadata and never look at the bytes:
// every field has a fixed value unless the test overrides it.

import type { ListedObject, ObjectMeta } from '../../storage/types.js';

export function objectMeta(bucket: string, name: string, over: Partial<ObjectMeta> = {}): ObjectMeta {
  return {
    bucket,
    name,
    size: 3,
    generation: '1',
    metageneration: '1',
    updated: new Date(1_700_000_000_000),
    etag: '"e"',
    contentType: 'application/octet-stream',
    metadata: {},
    ...over,
  };
}

/** What a listing says about an object (no bucket, content type or custom metadata). */
export function listedObject(name: string, over: Partial<ListedObject> = {}): ListedObject {
  return { name, size: 3, generation: '1', metageneration: '1', updated: new Date(0), etag: '"e"', ...over };
}
