// What a writer may set on an object, taken from somewhere else: from an object's current metadata (to keep
// it across a copy, chmod, utimens, a rewrite or setfattr) or from a wider options object (WriteOptions mixes
// in preconditions and a signal). Both walk the one list of fields in storage/types.ts.

import { WRITABLE_FIELDS, type ObjectMeta, type WritableMetadata } from './types.js';

/** Everything the service lets a writer set, from the object's current metadata (custom keys copied). */
export function writableOf(meta: ObjectMeta): WritableMetadata & { metadata: Record<string, string> } {
  return { ...pickWritable(meta), metadata: { ...meta.metadata } };
}

/** Only the WritableMetadata fields of `o`, those that are set (custom metadata by reference). */
export function pickWritable(o: WritableMetadata): WritableMetadata {
  const m: WritableMetadata = {};
  for (const k of WRITABLE_FIELDS) {
    const v = o[k];
    if (v !== undefined) m[k] = v;
  }
  if (o.metadata !== undefined) m.metadata = o.metadata;
  return m;
}
