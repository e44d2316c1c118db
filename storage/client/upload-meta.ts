// The ObjectMeta of an object this client has just uploaded, built from what was sent (size, hashes,
// content type, custom metadata) and the upload's answer (spec 4.1: ETag, x-goog-generation,
// x-goog-metageneration, x-goog-hash), so an upload costs no HEAD afterwards. The answer carries no
// Last-Modified: its Date stands in (both have a resolution of one second). Pure; no I/O.
// Undefined when the answer lacks a generation (an intermediary or an old server): the caller HEADs.

import type { ObjectHashes } from '../checksums.js';
import type { ObjectMeta, WritableMetadata } from '../types.js';
import { header, parseGoogHashHeaders } from './headers.js';
import type { ResponseHeaders } from './headers.js';

/** What GCS stores when an upload names no content type. */
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export interface SentObject {
  size: number;
  hashes: ObjectHashes;
  written: WritableMetadata;
}

export function metaFromUpload(
  bucket: string,
  name: string,
  headers: ResponseHeaders,
  sent: SentObject,
  now: () => Date = () => new Date(),
): ObjectMeta | undefined {
  const generation = header(headers, 'x-goog-generation');
  if (generation === undefined || !/^\d+$/.test(generation)) return undefined;
  const metageneration = header(headers, 'x-goog-metageneration') ?? '1';
  const date = new Date(header(headers, 'last-modified') ?? header(headers, 'date') ?? Number.NaN);
  const stored = parseGoogHashHeaders(headers);
  const w = sent.written;
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.metadata ?? {})) metadata[k.toLowerCase()] = v;
  const meta: ObjectMeta = {
    bucket,
    name,
    size: sent.size,
    generation,
    metageneration: /^\d+$/.test(metageneration) ? metageneration : '1',
    updated: Number.isNaN(date.getTime()) ? now() : date,
    etag: header(headers, 'etag') ?? '',
    contentType: w.contentType ?? DEFAULT_CONTENT_TYPE,
    metadata,
  };
  const md5 = stored.md5 ?? sent.hashes.md5;
  const crc32c = stored.crc32c ?? sent.hashes.crc32c;
  if (md5 !== undefined) meta.md5 = md5;
  if (crc32c !== undefined) meta.crc32c = crc32c;
  if (w.contentEncoding !== undefined) meta.contentEncoding = w.contentEncoding;
  if (w.cacheControl !== undefined) meta.cacheControl = w.cacheControl;
  if (w.contentDisposition !== undefined) meta.contentDisposition = w.contentDisposition;
  if (w.contentLanguage !== undefined) meta.contentLanguage = w.contentLanguage;
  // Unknown unless sent or answered: the bucket's default class applies, which only a HEAD would tell.
  const storageClass = w.storageClass ?? header(headers, 'x-goog-storage-class');
  if (storageClass !== undefined) meta.storageClass = storageClass.toUpperCase();
  return meta;
}
