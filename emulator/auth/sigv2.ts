// HMAC V2 signatures (`GOOG1 ID:SIG`, `AWS ID:SIG`, and V2 signed URLs; spec §2.5), following boto's
// canonical_string: method, Content-MD5, Content-Type, Date (empty when x-goog-date / x-amz-date is sent;
// Expires for signed URLs), the provider's extension headers, then the path-style resource with boto's
// sub-resource list. Policy (keys, skew, expiry) belongs to the authenticator.

import { createHmac } from 'node:crypto';
import type { AuthRequestView } from '../hooks.js';
import { headerText, safeEqual } from './sigv4.js';
import { requestTarget } from './request-target.js';
import { decodeText, reencodePath, splitRawQuery } from './uri-encoding.js';

export type V2Flavor = 'GOOG1' | 'AWS';

/** boto's `qsa_of_interest`: the only query parameters that are part of a V2 signature. */
export const SUB_RESOURCES: ReadonlySet<string> = new Set([
  'acl', 'billing', 'compose', 'cors', 'defaultObjectAcl', 'delete', 'encryptionConfig', 'lifecycle',
  'location', 'logging', 'partNumber', 'policy', 'requestPayment', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires', 'restore', 'storageClass', 'tagging', 'torrent', 'uploadId',
  'uploads', 'userProject', 'versionId', 'versioning', 'versions', 'website', 'websiteConfig',
]); // prettier-ignore

export interface V2Params {
  flavor: V2Flavor;
  accessId: string;
  signature: string;
  /** Signed URLs only: Unix seconds. */
  expires?: string;
}

/** Parses `GOOG1 ID:SIG` / `AWS ID:SIG`; a string result explains the fault. */
export function parseV2Header(authorization: string): V2Params | string {
  const m = /^(GOOG1|AWS) ([^:\s]+):(\S+)$/.exec(authorization.trim());
  if (!m) return 'Incorrect Authorization header';
  return { flavor: m[1] as V2Flavor, accessId: m[2] ?? '', signature: m[3] ?? '' };
}

function canonicalSubResources(rawQuery: string): string {
  const picked: [string, string][] = [];
  for (const p of splitRawQuery(rawQuery)) {
    const name = decodeText(p.rawName, true);
    if (!SUB_RESOURCES.has(name)) continue;
    picked.push([name, p.rawValue === undefined ? name : `${name}=${decodeText(p.rawValue, true)}`]);
  }
  picked.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return picked.length === 0 ? '' : '?' + picked.map(([, text]) => text).join('&');
}

/** boto's canonical_string for this request, over the given (path-style) resource. */
export function buildV2StringToSign(view: AuthRequestView, params: V2Params, resource: string): string {
  const prefix = params.flavor === 'GOOG1' ? 'x-goog-' : 'x-amz-';
  const ext: [string, string][] = [];
  for (const name of Object.keys(view.headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith(prefix)) ext.push([lower, (headerText(view.headers, lower) ?? '').trim()]);
  }
  ext.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const hasDateHeader = ext.some(([name]) => name === prefix + 'date');
  const date = params.expires ?? (hasDateHeader ? '' : (headerText(view.headers, 'date') ?? '').trim());
  return [
    view.method.toUpperCase(),
    (headerText(view.headers, 'content-md5') ?? '').trim(),
    (headerText(view.headers, 'content-type') ?? '').trim(),
    date,
    ...ext.map(([name, value]) => `${name}:${value}`),
    resource + canonicalSubResources(view.rawQuery),
  ].join('\n');
}

export function v2Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
}

export type V2Check = { ok: true } | { ok: false; stringToSign: string };

/** Tries the resource as received, then re-encoded; for a bare bucket also without the trailing slash. */
export function verifyV2(
  view: AuthRequestView,
  params: V2Params,
  secret: string,
  baseHosts?: readonly string[],
): V2Check {
  const host = headerText(view.headers, 'host');
  const resources: string[] = [];
  const add = (rawPath: string): void => {
    const target = requestTarget(rawPath, host, baseHosts);
    if (!resources.includes(target.pathStyle)) resources.push(target.pathStyle);
    if (target.kind === 'bucket' && target.pathStyle.endsWith('/')) {
      const bare = target.pathStyle.slice(0, -1);
      if (!resources.includes(bare)) resources.push(bare);
    }
  };
  add(view.rawPath);
  const reencoded = reencodePath(view.rawPath);
  if (reencoded !== undefined) add(reencoded);
  let first: string | undefined;
  for (const resource of resources) {
    const stringToSign = buildV2StringToSign(view, params, resource);
    if (safeEqual(v2Signature(secret, stringToSign), params.signature)) return { ok: true };
    first ??= stringToSign;
  }
  return { ok: false, stringToSign: first ?? '' };
}
