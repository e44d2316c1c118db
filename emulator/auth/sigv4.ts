// HMAC V4 signatures (GOOG4-HMAC-SHA256 and AWS4-HMAC-SHA256, spec §2.4): parsing the Authorization header
// or signed-URL query, and recomputing the signature. It does not decide policy (keys, skew, expiry): the
// authenticator does. Verification tries the path as received, then a canonical re-encoding of it, since
// clients disagree on which characters to escape but always sign what they believe they sent.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthRequestView } from '../hooks.js';
import { decodePercent, encodeRfc3986, reencodePath, splitRawQuery } from './uri-encoding.js';
import type { RawQueryParam } from './uri-encoding.js';

export type V4Flavor = 'GOOG4' | 'AWS4';

export interface V4Params {
  flavor: V4Flavor;
  accessId: string;
  /** Credential scope pieces exactly as the client sent them. */
  scopeDate: string;
  region: string;
  service: string;
  terminator: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  requestTime: string;
  signedHeaders: string[];
  signature: string;
  /** Signed URLs only: validity in seconds from `requestTime`. */
  expiresSeconds?: number;
}

export const ALGORITHM: Record<V4Flavor, string> = { GOOG4: 'GOOG4-HMAC-SHA256', AWS4: 'AWS4-HMAC-SHA256' };
const HEADER_PREFIX: Record<V4Flavor, string> = { GOOG4: 'x-goog-', AWS4: 'x-amz-' };
const QUERY_PREFIX: Record<V4Flavor, string> = { GOOG4: 'x-goog-', AWS4: 'x-amz-' };

export function headerText(headers: AuthRequestView['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

function parseCredential(
  credential: string,
): Omit<V4Params, 'flavor' | 'requestTime' | 'signedHeaders' | 'signature'> | undefined {
  const parts = credential.split('/');
  if (parts.length < 5) return undefined;
  const [scopeDate, region, service, terminator] = parts.slice(-4) as [string, string, string, string];
  const accessId = parts.slice(0, -4).join('/');
  if (accessId === '' || !/^\d{8}$/.test(scopeDate)) return undefined;
  return { accessId, scopeDate, region, service, terminator };
}

/** Parses `ALGO Credential=ID/SCOPE, SignedHeaders=a;b, Signature=hex`; a string result explains the fault. */
export function parseV4Header(authorization: string, headers: AuthRequestView['headers']): V4Params | string {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  const flavor: V4Flavor | undefined =
    algorithm === ALGORITHM.GOOG4 ? 'GOOG4' : algorithm === ALGORITHM.AWS4 ? 'AWS4' : undefined;
  if (flavor === undefined || space < 0) return 'Incorrect Authorization header';
  const fields = new Map<string, string>();
  for (const piece of authorization.slice(space + 1).split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) fields.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const credential = parseCredential(fields.get('Credential') ?? '');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    return 'Incorrect Authorization header';
  }
  const own = HEADER_PREFIX[flavor] + 'date';
  const other = HEADER_PREFIX[flavor === 'GOOG4' ? 'AWS4' : 'GOOG4'] + 'date';
  const requestTime = headerText(headers, own) ?? headerText(headers, other) ?? '';
  return {
    flavor,
    ...credential,
    requestTime,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature: signature.toLowerCase(),
  };
}

/** Parses `X-Goog-*` / `X-Amz-*` signed-URL parameters (names case-insensitive). */
export function parseV4Query(params: RawQueryParam[], flavor: V4Flavor): V4Params | string {
  const get = (suffix: string): string | undefined => {
    const wanted = QUERY_PREFIX[flavor] + suffix;
    for (const p of params) {
      const name = decodePercent(p.rawName, true)?.toString('utf8').toLowerCase();
      if (name === wanted) return decodePercent(p.rawValue ?? '', true)?.toString('utf8');
    }
    return undefined;
  };
  const algorithm = get('algorithm');
  const credential = parseCredential(get('credential') ?? '');
  const requestTime = get('date');
  const expires = get('expires');
  const signedHeaders = get('signedheaders');
  const signature = get('signature');
  if (algorithm !== ALGORITHM[flavor])
    return `Unsupported ${QUERY_PREFIX[flavor]}algorithm: ${algorithm ?? ''}`;
  if (credential === undefined) return 'Invalid credential in the signed URL';
  if (requestTime === undefined || signedHeaders === undefined || signature === undefined) {
    return 'Missing signed URL parameter';
  }
  const expiresSeconds = Number(expires ?? '');
  if (expires === undefined || !/^\d+$/.test(expires)) return 'Invalid expiration in the signed URL';
  return {
    flavor,
    ...credential,
    requestTime,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature: signature.toLowerCase(),
    expiresSeconds,
  };
}

/** Milliseconds since the epoch of a `YYYYMMDDTHHMMSSZ` stamp, or undefined when malformed. */
export function parseAmzTime(stamp: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(ms) ? undefined : ms;
}

function canonicalQuery(params: RawQueryParam[], excludeSignature: boolean, plusIsSpace: boolean): string {
  const pairs: [string, string][] = [];
  for (const p of params) {
    const name = decodePercent(p.rawName, plusIsSpace) ?? Buffer.from(p.rawName);
    const lowered = name.toString('utf8').toLowerCase();
    if (excludeSignature && (lowered === 'x-goog-signature' || lowered === 'x-amz-signature')) continue;
    const value = decodePercent(p.rawValue ?? '', plusIsSpace) ?? Buffer.from(p.rawValue ?? '');
    pairs.push([encodeRfc3986(name), encodeRfc3986(value)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function payloadHash(view: AuthRequestView, params: V4Params): string {
  if (params.expiresSeconds !== undefined) return 'UNSIGNED-PAYLOAD';
  return (
    headerText(view.headers, HEADER_PREFIX[params.flavor] + 'content-sha256') ??
    headerText(view.headers, 'x-goog-content-sha256') ??
    headerText(view.headers, 'x-amz-content-sha256') ??
    'UNSIGNED-PAYLOAD'
  );
}

export function buildCanonicalRequest(
  view: AuthRequestView,
  params: V4Params,
  canonicalPath: string,
  plusIsSpace: boolean,
): string {
  const headerLines = [...params.signedHeaders]
    .sort()
    .map((name) => `${name}:${(headerText(view.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  return [
    view.method.toUpperCase(),
    canonicalPath === '' ? '/' : canonicalPath,
    canonicalQuery(splitRawQuery(view.rawQuery), params.expiresSeconds !== undefined, plusIsSpace),
    headerLines,
    params.signedHeaders.join(';'),
    payloadHash(view, params),
  ].join('\n');
}

export function buildStringToSign(params: V4Params, canonicalRequest: string): string {
  const scope = [params.scopeDate, params.region, params.service, params.terminator].join('/');
  const hash = createHash('sha256').update(canonicalRequest, 'utf8').digest('hex');
  return [ALGORITHM[params.flavor], params.requestTime, scope, hash].join('\n');
}

export function v4Signature(secret: string, params: V4Params, stringToSign: string): string {
  let key: Buffer = Buffer.from(params.flavor + secret, 'utf8');
  for (const part of [params.scopeDate, params.region, params.service, params.terminator]) {
    key = createHmac('sha256', key).update(part, 'utf8').digest();
  }
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export type V4Check = { ok: true } | { ok: false; stringToSign: string; canonicalRequest: string };

/** Recomputes the signature over each plausible canonical form; reports the first form when none matches. */
export function verifyV4(view: AuthRequestView, params: V4Params, secret: string): V4Check {
  const paths = [view.rawPath];
  const reencoded = reencodePath(view.rawPath);
  if (reencoded !== undefined && reencoded !== view.rawPath) paths.push(reencoded);
  const plusModes = view.rawQuery.includes('+') ? [false, true] : [false];
  let first: { stringToSign: string; canonicalRequest: string } | undefined;
  for (const path of paths) {
    for (const plusIsSpace of plusModes) {
      const canonicalRequest = buildCanonicalRequest(view, params, path, plusIsSpace);
      const stringToSign = buildStringToSign(params, canonicalRequest);
      if (safeEqual(v4Signature(secret, params, stringToSign), params.signature)) return { ok: true };
      first ??= { stringToSign, canonicalRequest };
    }
  }
  return { ok: false, ...(first ?? { stringToSign: '', canonicalRequest: '' }) };
}
