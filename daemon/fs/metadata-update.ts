// The writable metadata an object keeps when something about it changes (chmod, utimens, a rewrite,
// setfattr): everything the service lets a writer set, taken from the current metadata.

import type { ObjectMeta, WritableMetadata } from '../../storage/types.js';

export function writableOf(meta: ObjectMeta): WritableMetadata & { metadata: Record<string, string> } {
  const w: WritableMetadata & { metadata: Record<string, string> } = {
    contentType: meta.contentType,
    metadata: { ...meta.metadata },
  };
  if (meta.contentEncoding !== undefined) w.contentEncoding = meta.contentEncoding;
  if (meta.cacheControl !== undefined) w.cacheControl = meta.cacheControl;
  if (meta.contentDisposition !== undefined) w.contentDisposition = meta.contentDisposition;
  if (meta.contentLanguage !== undefined) w.contentLanguage = meta.contentLanguage;
  if (meta.storageClass !== undefined) w.storageClass = meta.storageClass;
  return w;
}
