// Wire <-> model for object headers: response headers (x-goog-*, content-*, x-goog-meta-*) -> ObjectMeta,
// WritableMetadata and Preconditions -> request headers, and object-name encoding for the path. Nothing
// here sends a request. Generations stay decimal strings end to end (int64 never passes through a number).

import type { WriteOptions } from '../backend.js';
import { parseGoogHash } from '../checksums.js';
import { StorageError } from '../errors.js';
import { pickWritable } from '../writable-metadata.js';
import {
  WRITABLE_FIELDS,
  type ObjectMeta,
  type Preconditions,
  type WritableField,
  type WritableMetadata,
} from '../types.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** The request header of each writable field (also the response header, but for a stored encoding). */
const HEADER_OF: Record<WritableField, string> = {
  contentType: 'content-type',
  contentEncoding: 'content-encoding',
  cacheControl: 'cache-control',
  contentDisposition: 'content-disposition',
  contentLanguage: 'content-language',
  storageClass: 'x-goog-storage-class',
};

/** First value of a header (undici gives lower-case names; repeated ones as arrays). */
export function header(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function encodeBytes(text: string, keepSlash: boolean): string {
  let out = '';
  for (const ch of text) {
    if (UNRESERVED.test(ch) || (keepSlash && ch === '/')) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Path form of an object name: every byte outside A-Z a-z 0-9 - . _ ~ is percent-encoded and `/` is kept,
 *  except when a segment is `.`/`..` or the name holds `//`: URL parsers (WHATWG URL, hence the request we
 *  sign) collapse dot segments and some proxies merge slashes, so then `/` goes as %2F too, which GCS (and
 *  the emulator) read as `/`. `.` and `..` themselves are not object names. */
export function encodeObjectName(name: string): string {
  if (name === '' || name === '.' || name === '..') {
    throw new StorageError('invalid-name', `invalid object name ${JSON.stringify(name)}`);
  }
  const risky = name.includes('//') || name.split('/').some((s) => s === '.' || s === '..');
  return encodeBytes(name, !risky);
}

/** A query-string value (RFC 3986: `+` and `/` are encoded too). */
export function encodeQueryValue(value: string): string {
  return encodeBytes(value, false);
}

function count(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

function generation(value: string | undefined, what: string): string {
  const v = value?.trim();
  if (v === undefined || !/^\d{1,19}$/.test(v)) {
    throw new StorageError('unavailable', `response lacks a valid ${what} header`);
  }
  return v.replace(/^0+(?=\d)/, '');
}

function put<K extends keyof ObjectMeta>(meta: ObjectMeta, key: K, value: ObjectMeta[K] | undefined): void {
  if (value !== undefined) meta[key] = value;
}

const META_PREFIXES = ['x-goog-meta-', 'x-amz-meta-'];

/** ObjectMeta from the headers of a HEAD/GET (or any answer that carries the object's headers). Size is
 *  the stored size (x-goog-stored-content-length), not the length of this response. */
/** What GCS sends as Cache-Control for an object that stores none: public and private objects. */
const SERVED_CACHE_CONTROL_DEFAULTS = new Set(['public, max-age=3600', 'private, max-age=0']);

export function objectMetaFromHeaders(bucket: string, name: string, headers: ResponseHeaders): ObjectMeta {
  const size =
    count(header(headers, 'x-goog-stored-content-length')) ?? count(header(headers, 'content-length'));
  if (size === undefined) throw new StorageError('unavailable', 'response lacks the object size');
  const modified = header(headers, 'last-modified');
  const updated = modified === undefined ? new Date(Number.NaN) : new Date(modified);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    // AWS-signed requests get custom metadata back as x-amz-meta-* (spec 10.1).
    const prefix = META_PREFIXES.find((p) => key.startsWith(p));
    if (prefix !== undefined && v !== undefined) {
      metadata[key.slice(prefix.length)] = Array.isArray(v) ? v.join(',') : v;
    }
  }
  const meta: ObjectMeta = {
    bucket,
    name,
    size,
    generation: generation(header(headers, 'x-goog-generation'), 'x-goog-generation'),
    metageneration: generation(header(headers, 'x-goog-metageneration') ?? '1', 'x-goog-metageneration'),
    updated: Number.isNaN(updated.getTime()) ? new Date(0) : updated,
    etag: header(headers, 'etag') ?? '',
    contentType: 'application/octet-stream',
    metadata,
  };
  for (const field of WRITABLE_FIELDS) put(meta, field, header(headers, HEADER_OF[field]));
  // An object with no stored Cache-Control is served with the service's default for its ACL (spec 4.1).
  // The XML API has no header that tells the two apart, so the defaults read as "none stored": taken as
  // stored, the next metadata rewrite (chmod, touch, setfattr) would store them for good.
  if (meta.cacheControl !== undefined && SERVED_CACHE_CONTROL_DEFAULTS.has(meta.cacheControl)) {
    delete meta.cacheControl;
  }
  // A transcoded GET says what it sent; what is stored is in x-goog-stored-content-encoding.
  const stored = header(headers, 'x-goog-stored-content-encoding');
  if (stored === 'identity') delete meta.contentEncoding;
  else put(meta, 'contentEncoding', stored);
  const hashes = parseGoogHashHeaders(headers);
  put(meta, 'md5', hashes.md5);
  put(meta, 'crc32c', hashes.crc32c);
  put(meta, 'componentCount', count(header(headers, 'x-goog-component-count')));
  return meta;
}

export function parseGoogHashHeaders(headers: ResponseHeaders): ReturnType<typeof parseGoogHash> {
  return parseGoogHash(headers['x-goog-hash']);
}

/** Printable ASCII only: how GCS stores non-ASCII header values is unconfirmed (spec 4.1), and a value
 *  that comes back different is worse than a clear refusal. */
function headerValue(what: string, value: string): string {
  if (!/^[\u0020-\u007e\t]*$/.test(value)) {
    throw new StorageError('invalid-argument', `${what} cannot be sent as an HTTP header value`);
  }
  return value;
}

/** WritableMetadata -> request headers (upload, copy with REPLACE, compose, resumable start). */
export function writableMetadataHeaders(m: WritableMetadata): Record<string, string> {
  const h: Record<string, string> = {};
  const set = (name: string, v: string | undefined): void => {
    if (v !== undefined) h[name] = headerValue(name, v);
  };
  for (const field of WRITABLE_FIELDS) set(HEADER_OF[field], m[field]);
  for (const [k, v] of Object.entries(m.metadata ?? {})) {
    const key = k.toLowerCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(key)) {
      throw new StorageError('invalid-argument', `metadata key ${JSON.stringify(k)} is not an HTTP token`);
    }
    set(`x-goog-meta-${key}`, v);
  }
  return h;
}

export function preconditionHeaders(p: Preconditions): Record<string, string> {
  const h: Record<string, string> = {};
  if (p.ifGenerationMatch !== undefined) h['x-goog-if-generation-match'] = p.ifGenerationMatch;
  if (p.ifMetagenerationMatch !== undefined) h['x-goog-if-metageneration-match'] = p.ifMetagenerationMatch;
  return h;
}

/** The headers of a write (a single PUT, a resumable start): metadata, preconditions, canned ACL. */
export function writeHeaders(options: WriteOptions): Record<string, string> {
  const h = { ...writableMetadataHeaders(pickWritable(options)), ...preconditionHeaders(options) };
  if (options.cannedAcl !== undefined) h['x-goog-acl'] = options.cannedAcl;
  return h;
}
