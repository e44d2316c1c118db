// The headers an object's GET/HEAD (and upload/copy/compose) responses carry (spec 4.4), in one place so
// every path that answers with an object says the same thing. AWS-signed requests get metadata back as
// x-amz-meta-* (spec 10.1).

import type { ServerResponse } from 'node:http';
import type { Dialect } from '../hooks.js';
import { isPublicRead } from '../acl.js';
import type { ObjectRecord } from '../store/records.js';

export function setObjectHeaders(res: ServerResponse, o: ObjectRecord, dialect: Dialect, full = true): void {
  res.setHeader('ETag', o.etag);
  res.setHeader('x-goog-generation', o.generation);
  res.setHeader('x-goog-metageneration', String(o.metageneration));
  res.setHeader('x-goog-hash', o.md5 ? [`crc32c=${o.crc32c}`, `md5=${o.md5}`] : [`crc32c=${o.crc32c}`]);
  res.setHeader('x-goog-stored-content-length', String(o.size));
  res.setHeader('x-goog-stored-content-encoding', o.contentEncoding ?? 'identity');
  if (!full) return;
  res.setHeader('Last-Modified', new Date(o.updated).toUTCString());
  res.setHeader('Content-Type', o.contentType ?? 'application/octet-stream');
  res.setHeader('x-goog-storage-class', o.storageClass);
  res.setHeader('Accept-Ranges', 'bytes');
  if (o.contentEncoding) res.setHeader('Content-Encoding', o.contentEncoding);
  if (o.contentDisposition) res.setHeader('Content-Disposition', o.contentDisposition);
  if (o.contentLanguage) res.setHeader('Content-Language', o.contentLanguage);
  if (o.cacheControl) res.setHeader('Cache-Control', o.cacheControl);
  else if (isPublicRead(o.acl)) {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('Expires', new Date(Date.now() + 3600_000).toUTCString());
  } else res.setHeader('Cache-Control', 'private, max-age=0');
  if (o.customTime) res.setHeader('x-goog-custom-time', o.customTime);
  if (o.componentCount !== undefined) res.setHeader('x-goog-component-count', String(o.componentCount));
  const prefix = dialect === 's3' ? 'x-amz-meta-' : 'x-goog-meta-';
  for (const [k, v] of Object.entries(o.metadata)) res.setHeader(prefix + k, v);
}
