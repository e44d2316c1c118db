// HMAC-key credentials: sign each request with V4 (GOOG4-HMAC-SHA256 by default, or the S3 dialect
// AWS4-HMAC-SHA256) or, for compatibility with boto, V2 GOOG1/AWS (spec §2.4, §2.5). The algorithms are
// pure exported functions checked against the spec's vectors; the class only adds the clock and headers.
// It does not build signed URLs (query-string auth) and never puts the secret in a message.

import { createHash, createHmac } from 'node:crypto';
import { systemClock, type Clock } from '../../common/clock.js';
import type { Credentials, RequestToSign } from './credentials.js';

export type V4Dialect = 'GOOG4' | 'AWS4';
export type V2Dialect = 'GOOG1' | 'AWS';
export type HmacSigning = V4Dialect | V2Dialect;

interface V4Names {
  algorithm: string;
  service: string;
  terminator: string;
  dateHeader: string;
  hashHeader: string;
  defaultRegion: string;
}

export const V4_NAMES: Record<V4Dialect, V4Names> = {
  GOOG4: {
    algorithm: 'GOOG4-HMAC-SHA256',
    service: 'storage',
    terminator: 'goog4_request',
    dateHeader: 'x-goog-date',
    hashHeader: 'x-goog-content-sha256',
    defaultRegion: 'auto',
  },
  AWS4: {
    algorithm: 'AWS4-HMAC-SHA256',
    service: 's3',
    terminator: 'aws4_request',
    dateHeader: 'x-amz-date',
    hashHeader: 'x-amz-content-sha256',
    defaultRegion: 'us-east-1',
  },
};

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

const hex = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986: everything but unreserved characters percent-encoded, upper-case hex. */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path with every byte outside the unreserved set (and '/') encoded; existing %XX escapes are kept. */
export function v4CanonicalUri(path: string): string {
  return path.replace(/%[0-9a-fA-F]{2}|[^A-Za-z0-9\-._~/%]+|%/g, (m) =>
    m.startsWith('%') && m.length === 3 ? m.toUpperCase() : rfc3986(m),
  );
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

// '+' in a query means a space to servers that form-decode (and to URLSearchParams, which writes spaces as
// '+'); a literal plus arrives as %2B. Decoding it this way makes `a+b` and `a%20b` sign alike.
const formDecode = (s: string): string => decode(s.replace(/\+/g, ' '));

/** Sorted, RFC 3986-encoded query without the signature; `?uploads` becomes `uploads=`. */
export function v4CanonicalQuery(search: string): string {
  const q = search.startsWith('?') ? search.slice(1) : search;
  if (q === '') return '';
  const pairs = q
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [formDecode(p), ''] : [formDecode(p.slice(0, eq)), formDecode(p.slice(eq + 1))];
    })
    .filter(([k]) => k !== 'X-Goog-Signature' && k !== 'X-Amz-Signature')
    .map(([k = '', v = '']) => [rfc3986(k), rfc3986(v)] as const);
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  pairs.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export interface CanonicalRequestInput {
  method: string;
  /** URL path as sent (already percent-encoded). */
  path: string;
  /** URL query string, with or without the leading '?'. */
  query: string;
  /** Header values by lower-case name; must hold every signed header. */
  headers: Readonly<Record<string, string>>;
  signedHeaders: readonly string[];
  payloadHash: string;
}

export function v4CanonicalRequest(input: CanonicalRequestInput): string {
  const names = [...input.signedHeaders].map((h) => h.toLowerCase()).sort();
  const headerLines = names
    .map((n) => `${n}:${(input.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  return [
    input.method.toUpperCase(),
    v4CanonicalUri(input.path),
    v4CanonicalQuery(input.query),
    headerLines,
    names.join(';'),
    input.payloadHash,
  ].join('\n');
}

/** `YYYYMMDD/REGION/SERVICE/TERMINATOR`. */
export function v4Scope(dialect: V4Dialect, date: string, region: string): string {
  const n = V4_NAMES[dialect];
  return `${date}/${region}/${n.service}/${n.terminator}`;
}

export function v4StringToSign(
  dialect: V4Dialect,
  timestamp: string,
  scope: string,
  canonicalRequest: string,
): string {
  return [V4_NAMES[dialect].algorithm, timestamp, scope, hex(canonicalRequest)].join('\n');
}

/** Lower-case hex signature. The secret is used as its literal UTF-8 text (never base64-decoded). */
export function v4Signature(
  dialect: V4Dialect,
  secret: string,
  date: string,
  region: string,
  stringToSign: string,
): string {
  const n = V4_NAMES[dialect];
  let key = hmac(dialect + secret, date);
  for (const part of [region, n.service, n.terminator]) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** `20240105T120000Z` from epoch milliseconds. */
export function v4Timestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** boto's sub-resource list: the only query parameters V2 signs (spec §2.5). */
export const V2_SUB_RESOURCES: ReadonlySet<string> = new Set(
  (
    'acl billing compose cors defaultObjectAcl delete encryptionConfig lifecycle location logging partNumber ' +
    'policy requestPayment response-cache-control response-content-disposition response-content-encoding ' +
    'response-content-language response-content-type response-expires restore storageClass tagging torrent ' +
    'uploadId uploads userProject versionId versioning versions website websiteConfig'
  ).split(' '),
);

/** boto's canonical_string (utils.py) for path-style resources `/`, `/BUCKET/` and `/BUCKET/OBJECT`. */
export function v2StringToSign(
  dialect: V2Dialect,
  method: string,
  path: string,
  query: string,
  headers: Readonly<Record<string, string>>,
): string {
  const prefix = dialect === 'GOOG1' ? 'x-goog-' : 'x-amz-';
  const fields = new Map<string, string>([
    ['content-md5', ''],
    ['content-type', ''],
  ]);
  for (const [name, value] of Object.entries(headers)) {
    const lk = name.toLowerCase();
    if (lk === 'content-md5' || lk === 'content-type' || lk === 'date' || lk.startsWith(prefix)) {
      fields.set(lk, value.trim());
    }
  }
  if (fields.has(`${prefix}date`)) fields.set('date', '');
  let out = `${method.toUpperCase()}\n`;
  for (const key of [...fields.keys()].sort()) {
    const value = fields.get(key) ?? '';
    out += key.startsWith(prefix) ? `${key}:${value}\n` : `${value}\n`;
  }
  // boto signs `/BUCKET/` for a bucket alone (it appends '/' and the empty key).
  out += /^\/[^/]+$/.test(path) ? `${path}/` : path;
  const sub = (query.startsWith('?') ? query.slice(1) : query)
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0
        ? { k: p, s: p }
        : { k: p.slice(0, eq), s: `${p.slice(0, eq)}=${decode(p.slice(eq + 1))}` };
    })
    .filter((p) => V2_SUB_RESOURCES.has(p.k));
  if (sub.length > 0) {
    sub.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)); // stable, by name only, as boto
    out += '?' + sub.map((p) => p.s).join('&');
  }
  return out;
}

/** base64(HMAC-SHA1(secret, stringToSign)). */
export function v2Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(stringToSign).digest('base64');
}

export interface HmacOptions {
  accessId: string;
  secret: string;
  /** Default GOOG4. GOOG1 is boto's V2 scheme (compatibility mode). */
  signing?: HmacSigning;
  /** V4 region; default `auto` (GOOG4) or `us-east-1` (AWS4). */
  region?: string;
  clock?: Clock;
}

/** What the last signature covered, for debugging a SignatureDoesNotMatch against the server's copy. */
export interface SignatureTrace {
  canonicalRequest?: string;
  stringToSign: string;
}

const V4_SIGNED_PLAIN = new Set(['content-type', 'content-md5']);

export class HmacCredentials implements Credentials {
  readonly description: string;
  readonly signing: HmacSigning;
  lastSignature: SignatureTrace | undefined;
  readonly #accessId: string;
  readonly #secret: string;
  readonly #region: string | undefined;
  readonly #clock: Clock;

  constructor(options: HmacOptions) {
    this.#accessId = options.accessId;
    this.#secret = options.secret;
    this.signing = options.signing ?? 'GOOG4';
    this.#region = options.region;
    this.#clock = options.clock ?? systemClock;
    this.description = `HMAC key ${options.accessId.slice(0, 8)}…`;
  }

  authorize(request: RequestToSign): Promise<void> {
    switch (this.signing) {
      case 'GOOG4':
      case 'AWS4':
        this.#signV4(request, this.signing);
        break;
      case 'GOOG1':
      case 'AWS':
        this.#signV2(request, this.signing);
        break;
    }
    return Promise.resolve();
  }

  /** A new signature would use the same key, so a retry cannot help. */
  invalidate(): boolean {
    return false;
  }

  #signV4(request: RequestToSign, dialect: V4Dialect): void {
    const n = V4_NAMES[dialect];
    const h = request.headers;
    delete h['authorization'];
    const timestamp = v4Timestamp(this.#clock.now());
    const date = timestamp.slice(0, 8);
    const region = this.#region ?? n.defaultRegion;
    h[n.dateHeader] = timestamp;
    const payloadHash = h[n.hashHeader] ?? UNSIGNED_PAYLOAD;
    h[n.hashHeader] = payloadHash;
    const host = h['host'] ?? request.url.host;
    const signed = ['host'];
    for (const name of Object.keys(h)) {
      // accept-encoding is never signed: Google's front end rewrites it.
      if (name.startsWith('x-goog-') || name.startsWith('x-amz-') || V4_SIGNED_PLAIN.has(name)) {
        signed.push(name);
      }
    }
    const canonicalRequest = v4CanonicalRequest({
      method: request.method,
      path: request.url.pathname,
      query: request.url.search,
      headers: { ...h, host },
      signedHeaders: signed,
      payloadHash,
    });
    const scope = v4Scope(dialect, date, region);
    const stringToSign = v4StringToSign(dialect, timestamp, scope, canonicalRequest);
    const signature = v4Signature(dialect, this.#secret, date, region, stringToSign);
    const signedHeaders = signed.sort().join(';');
    h['authorization'] =
      `${n.algorithm} Credential=${this.#accessId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    this.lastSignature = { canonicalRequest, stringToSign };
  }

  #signV2(request: RequestToSign, dialect: V2Dialect): void {
    const h = request.headers;
    delete h['authorization'];
    h['date'] = new Date(this.#clock.now()).toUTCString();
    const stringToSign = v2StringToSign(dialect, request.method, request.url.pathname, request.url.search, h);
    h['authorization'] = `${dialect} ${this.#accessId}:${v2Signature(this.#secret, stringToSign)}`;
    this.lastSignature = { stringToSign };
  }
}
