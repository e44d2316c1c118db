// Test-only request signer, written apart from emulator/auth so the two cannot share a mistake: it follows
// spec §2.4/§2.5 literally and produces AuthRequestView values (path, query, headers) as a client would send.

import { createHash, createHmac } from 'node:crypto';
import type { AuthRequestView } from '../../../emulator/hooks.js';

export const ACCESS_ID = 'GOOG1EEXAMPLEACCESSID';
export const SECRET = 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ';

/** RFC 3986: encode everything but A-Z a-z 0-9 - . _ ~ (and `/` when asked). */
export function enc(text: string, keepSlash = false): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%2F/g, keepSlash ? '/' : '%2F');
}

const amzStamp = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

export interface V4Input {
  flavor: 'GOOG4' | 'AWS4';
  method: string;
  /** Path as sent on the wire (already encoded). */
  path: string;
  /** Path the signer puts in the canonical request (defaults to `path`). */
  signedPath?: string;
  /** Decoded query parameters; `null` value = valueless (`?uploads`). */
  query?: [string, string | null][];
  headers?: Record<string, string>;
  time: Date;
  region?: string;
  accessId?: string;
  secret?: string;
  payloadHash?: string;
}

function v4Names(flavor: 'GOOG4' | 'AWS4') {
  return flavor === 'GOOG4'
    ? {
        algo: 'GOOG4-HMAC-SHA256',
        prefix: 'x-goog-',
        q: 'X-Goog-',
        service: 'storage',
        term: 'goog4_request',
      }
    : { algo: 'AWS4-HMAC-SHA256', prefix: 'x-amz-', q: 'X-Amz-', service: 's3', term: 'aws4_request' };
}

function v4Sign(input: V4Input, scopeRegion: string, canonical: string): string {
  const n = v4Names(input.flavor);
  const day = amzStamp(input.time).slice(0, 8);
  const scope = `${day}/${scopeRegion}/${n.service}/${n.term}`;
  const sts = [
    n.algo,
    amzStamp(input.time),
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key = hmac(input.flavor + (input.secret ?? SECRET), day);
  for (const part of [scopeRegion, n.service, n.term]) key = hmac(key, part);
  return createHmac('sha256', key).update(sts).digest('hex');
}

function canonicalQuery(query: [string, string | null][]): string {
  return query
    .map(([k, v]) => [enc(k), enc(v ?? '')] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function rawQuery(query: [string, string | null][]): string {
  return query.map(([k, v]) => (v === null ? enc(k) : `${enc(k)}=${enc(v)}`)).join('&');
}

/** A header-signed V4 request (date and payload-hash headers added). */
export function signV4(input: V4Input): AuthRequestView {
  const n = v4Names(input.flavor);
  const region = input.region ?? (input.flavor === 'GOOG4' ? 'auto' : 'us-east-1');
  const headers: Record<string, string> = {
    host: 'storage.googleapis.com',
    ...input.headers,
    [n.prefix + 'date']: amzStamp(input.time),
    [n.prefix + 'content-sha256']: input.payloadHash ?? 'UNSIGNED-PAYLOAD',
  };
  const names = Object.keys(headers).sort();
  const query = input.query ?? [];
  const canonical = [
    input.method,
    input.signedPath ?? input.path,
    canonicalQuery(query),
    names.map((h) => `${h}:${(headers[h] ?? '').trim()}\n`).join(''),
    names.join(';'),
    headers[n.prefix + 'content-sha256'],
  ].join('\n');
  const sig = v4Sign(input, region, canonical);
  const day = amzStamp(input.time).slice(0, 8);
  headers['authorization'] =
    `${n.algo} Credential=${input.accessId ?? ACCESS_ID}/${day}/${region}/${n.service}/${n.term}, ` +
    `SignedHeaders=${names.join(';')}, Signature=${sig}`;
  return { method: input.method, rawPath: input.path, rawQuery: rawQuery(query), headers };
}

/** A V4 signed URL (query-string auth) valid for `expires` seconds. */
export function signV4Url(input: V4Input & { expires: number }): AuthRequestView {
  const n = v4Names(input.flavor);
  const region = input.region ?? (input.flavor === 'GOOG4' ? 'auto' : 'us-east-1');
  const day = amzStamp(input.time).slice(0, 8);
  const headers: Record<string, string> = { host: 'storage.googleapis.com', ...input.headers };
  const names = Object.keys(headers).sort();
  const query: [string, string | null][] = [
    ...(input.query ?? []),
    [n.q + 'Algorithm', n.algo],
    [n.q + 'Credential', `${input.accessId ?? ACCESS_ID}/${day}/${region}/${n.service}/${n.term}`],
    [n.q + 'Date', amzStamp(input.time)],
    [n.q + 'Expires', String(input.expires)],
    [n.q + 'SignedHeaders', names.join(';')],
  ];
  const canonical = [
    input.method,
    input.signedPath ?? input.path,
    canonicalQuery(query),
    names.map((h) => `${h}:${(headers[h] ?? '').trim()}\n`).join(''),
    names.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const sig = v4Sign(input, region, canonical);
  query.push([n.q + 'Signature', sig]);
  return { method: input.method, rawPath: input.path, rawQuery: rawQuery(query), headers };
}

export interface V2Input {
  flavor: 'GOOG1' | 'AWS';
  method: string;
  path: string;
  /** The path-style resource the signer uses (boto: `/bucket/key`, `/bucket/` for a bucket). */
  resource: string;
  query?: [string, string | null][];
  /** Sub-resources included in the signature, already in boto's `k=v`/`k` form and sorted. */
  subResources?: string;
  headers?: Record<string, string>;
  accessId?: string;
  secret?: string;
}

function v2StringToSign(input: V2Input, headers: Record<string, string>, dateLine: string): string {
  const prefix = input.flavor === 'GOOG1' ? 'x-goog-' : 'x-amz-';
  const ext = Object.keys(headers)
    .filter((h) => h.startsWith(prefix))
    .sort()
    .map((h) => `${h}:${headers[h] ?? ''}`);
  return [
    input.method,
    headers['content-md5'] ?? '',
    headers['content-type'] ?? '',
    dateLine,
    ...ext,
    input.resource + (input.subResources ? '?' + input.subResources : ''),
  ].join('\n');
}

const sha1b64 = (secret: string, text: string): string =>
  createHmac('sha1', secret).update(text).digest('base64');

/** A V2 (`GOOG1`/`AWS`) header-signed request. */
export function signV2(input: V2Input): AuthRequestView {
  const headers: Record<string, string> = { host: 'storage.googleapis.com', ...input.headers };
  const dateHeader = input.flavor === 'GOOG1' ? 'x-goog-date' : 'x-amz-date';
  const dateLine = headers[dateHeader] !== undefined ? '' : (headers['date'] ?? '');
  const sig = sha1b64(input.secret ?? SECRET, v2StringToSign(input, headers, dateLine));
  headers['authorization'] = `${input.flavor} ${input.accessId ?? ACCESS_ID}:${sig}`;
  return { method: input.method, rawPath: input.path, rawQuery: rawQuery(input.query ?? []), headers };
}

/** A V2 signed URL (`GoogleAccessId`, `Expires`, `Signature`). */
export function signV2Url(input: V2Input & { expires: number }): AuthRequestView {
  const headers: Record<string, string> = { host: 'storage.googleapis.com', ...input.headers };
  const sig = sha1b64(input.secret ?? SECRET, v2StringToSign(input, headers, String(input.expires)));
  const query: [string, string | null][] = [
    ...(input.query ?? []),
    [input.flavor === 'GOOG1' ? 'GoogleAccessId' : 'AWSAccessKeyId', input.accessId ?? ACCESS_ID],
    ['Expires', String(input.expires)],
    ['Signature', sig],
  ];
  return { method: input.method, rawPath: input.path, rawQuery: rawQuery(query), headers };
}
