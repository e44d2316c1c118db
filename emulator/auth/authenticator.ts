// Request authentication for the emulator (spec §2.1): dispatch on the Authorization header or signed-URL
// query, decide the dialect, and — when HMAC keys are configured or auth is required — verify. Signature
// arithmetic lives in sigv4.ts / sigv2.ts; token issuance in token-registry.ts. With neither keys nor
// --require-auth everything is accepted, as local tools expect, but principal and dialect are still reported.

import { systemClock } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import type { AuthOutcome, AuthRequestView, Authenticate, Dialect } from '../hooks.js';
import {
  accessDenied,
  authenticationRequired,
  expiredToken,
  invalidAccessKeyId,
  invalidArgument,
  invalidSecurity,
  missingSecurityHeader,
  requestTimeTooSkewed,
  signatureDoesNotMatch,
} from './auth-failures.js';
import { anonymousDenialDetails, requestTarget } from './request-target.js';
import { parseV2Header, verifyV2 } from './sigv2.js';
import type { V2Params } from './sigv2.js';
import { headerText, parseAmzTime, parseV4Header, parseV4Query, verifyV4 } from './sigv4.js';
import type { V4Flavor, V4Params } from './sigv4.js';
import type { TokenRegistry } from './token-registry.js';
import { queryValue, splitRawQuery } from './uri-encoding.js';
import type { RawQueryParam } from './uri-encoding.js';

/** Allowed distance between a signed request's time and the clock (GCS's window is unpublished). */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** Longest signed-URL validity GCS allows (7 days). */
export const MAX_SIGNED_URL_SECONDS = 604_800;

export interface AuthenticatorOptions {
  /** HMAC access id -> secret. Non-empty: HMAC-signed requests must verify. */
  hmacKeys: ReadonlyMap<string, string>;
  /** Reject anonymous callers and bearer tokens this emulator did not issue. */
  requireAuth: boolean;
  tokens: Pick<TokenRegistry, 'check'>;
  clock?: Clock;
  /** Service hosts for virtual-host detection (default storage.googleapis.com, localhost). */
  baseHosts?: readonly string[];
}

type Scheme =
  | { kind: 'anonymous' }
  | { kind: 'bearer'; token: string }
  | { kind: 'v4'; flavor: V4Flavor; parsed: V4Params | string }
  | { kind: 'v2'; dialect: Dialect; parsed: V2Params | string }
  | { kind: 'unknown' };

function hasParam(params: RawQueryParam[], name: string): boolean {
  const lower = name.toLowerCase();
  return params.some((p) => decodeURIComponentSafe(p.rawName).toLowerCase() === lower);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function v2QueryParams(params: RawQueryParam[]): V2Params | string {
  const googId = queryValue(params, 'GoogleAccessId');
  const accessId = googId ?? queryValue(params, 'AWSAccessKeyId') ?? '';
  // Base64 '+' sent unescaped decodes as a space under form rules; put it back.
  const signature = (queryValue(params, 'Signature') ?? '').replace(/ /g, '+');
  const expires = queryValue(params, 'Expires');
  if (accessId === '' || signature === '' || expires === undefined) return 'Missing signed URL parameter';
  if (!/^\d+$/.test(expires)) return 'Invalid Expires in the signed URL';
  return { flavor: googId !== undefined ? 'GOOG1' : 'AWS', accessId, signature, expires };
}

function classify(view: AuthRequestView, params: RawQueryParam[]): Scheme {
  const authorization = headerText(view.headers, 'authorization')?.trim() ?? '';
  if (authorization !== '') {
    const first = authorization.split(/\s+/, 1)[0] ?? '';
    // The Bearer scheme name is case-insensitive (RFC 6750); HMAC algorithm names are exact.
    const word = first.toLowerCase() === 'bearer' ? 'Bearer' : first;
    switch (word) {
      case 'Bearer':
        return { kind: 'bearer', token: authorization.slice(word.length).trim() };
      case 'GOOG4-HMAC-SHA256':
      case 'AWS4-HMAC-SHA256': {
        const flavor = word === 'AWS4-HMAC-SHA256' ? 'AWS4' : 'GOOG4';
        return { kind: 'v4', flavor, parsed: parseV4Header(authorization, view.headers) };
      }
      case 'GOOG1':
      case 'AWS':
        return { kind: 'v2', dialect: word === 'AWS' ? 's3' : 'goog', parsed: parseV2Header(authorization) };
      default:
        return { kind: 'unknown' };
    }
  }
  if (hasParam(params, 'X-Goog-Signature'))
    return { kind: 'v4', flavor: 'GOOG4', parsed: parseV4Query(params, 'GOOG4') };
  if (hasParam(params, 'X-Amz-Signature'))
    return { kind: 'v4', flavor: 'AWS4', parsed: parseV4Query(params, 'AWS4') };
  if (
    hasParam(params, 'Signature') &&
    (hasParam(params, 'GoogleAccessId') || hasParam(params, 'AWSAccessKeyId'))
  ) {
    return {
      kind: 'v2',
      dialect: hasParam(params, 'GoogleAccessId') ? 'goog' : 's3',
      parsed: v2QueryParams(params),
    };
  }
  return { kind: 'anonymous' };
}

function checkV4(view: AuthRequestView, p: V4Params, secret: string, now: number): AuthOutcome {
  const dialect: Dialect = p.flavor === 'AWS4' ? 's3' : 'goog';
  const dateName = p.flavor === 'AWS4' ? 'x-amz-date' : 'x-goog-date';
  if (p.requestTime === '') return missingSecurityHeader(dateName);
  const at = parseAmzTime(p.requestTime);
  if (at === undefined) return invalidSecurity(`Invalid ${dateName}: ${p.requestTime}`);
  if (p.expiresSeconds === undefined) {
    if (Math.abs(at - now) > MAX_SKEW_MS) return requestTimeTooSkewed(p.requestTime);
  } else {
    if (p.expiresSeconds > MAX_SIGNED_URL_SECONDS) {
      return invalidArgument(`Max allowed expiration interval is seven days ${MAX_SIGNED_URL_SECONDS}`);
    }
    if (at - now > MAX_SKEW_MS) return requestTimeTooSkewed(p.requestTime);
    const expiresAt = at + p.expiresSeconds * 1000;
    if (now > expiresAt) return expiredToken(new Date(expiresAt));
  }
  const check = verifyV4(view, p, secret);
  if (!check.ok) return signatureDoesNotMatch(check.stringToSign, check.canonicalRequest);
  return { ok: true, principal: p.accessId, dialect };
}

function requestTimeV2(
  view: AuthRequestView,
  p: V2Params,
): { text: string; at: number | undefined } | undefined {
  const text =
    headerText(view.headers, p.flavor === 'AWS' ? 'x-amz-date' : 'x-goog-date') ??
    headerText(view.headers, 'date');
  if (text === undefined || text.trim() === '') return undefined;
  const at = parseAmzTime(text.trim()) ?? Date.parse(text);
  return { text, at: Number.isNaN(at) ? undefined : at };
}

function checkV2(
  view: AuthRequestView,
  p: V2Params,
  secret: string,
  now: number,
  baseHosts: readonly string[] | undefined,
): AuthOutcome {
  const dialect: Dialect = p.flavor === 'AWS' ? 's3' : 'goog';
  if (p.expires !== undefined) {
    const expiresAt = Number(p.expires) * 1000;
    if (now > expiresAt) return expiredToken(new Date(expiresAt));
  } else {
    const time = requestTimeV2(view, p);
    if (time === undefined) return missingSecurityHeader('Date');
    if (time.at === undefined) return invalidSecurity(`Invalid date: ${time.text}`);
    if (Math.abs(time.at - now) > MAX_SKEW_MS) return requestTimeTooSkewed(time.text);
  }
  const check = verifyV2(view, p, secret, baseHosts);
  if (!check.ok) return signatureDoesNotMatch(check.stringToSign);
  return { ok: true, principal: p.accessId, dialect };
}

const FULL_SCOPES = new Set([
  'https://www.googleapis.com/auth/devstorage.full_control',
  'https://www.googleapis.com/auth/cloud-platform',
]);
const WRITE_SCOPES = new Set([...FULL_SCOPES, 'https://www.googleapis.com/auth/devstorage.read_write']);
const READ_SCOPES = new Set([
  ...WRITE_SCOPES,
  'https://www.googleapis.com/auth/devstorage.read_only',
  'https://www.googleapis.com/auth/cloud-platform.read-only',
]);
const ACL_QUERY = /(?:^|&)(?:acl|defaultObjectAcl|iam)(?:=|&|$)/;

/** Spec §2.2: read_only tokens may not write; only full_control (or cloud-platform) may touch ACLs. */
function scopeAllows(scopes: readonly string[], view: AuthRequestView): boolean {
  const method = view.method.toUpperCase();
  const needed =
    ACL_QUERY.test(view.rawQuery) && method !== 'GET' && method !== 'HEAD'
      ? FULL_SCOPES
      : method === 'GET' || method === 'HEAD'
        ? READ_SCOPES
        : WRITE_SCOPES;
  return scopes.some((scope) => needed.has(scope));
}

/** Builds the emulator's `Authenticate` hook (see hooks.ts) from the configured keys and token registry. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const clock = options.clock ?? systemClock;
  const verifyHmac = options.hmacKeys.size > 0 || options.requireAuth;

  /** The secret to verify against, or the outcome when there is nothing (or no way) to verify. */
  const hmacGate = (parsed: V4Params | V2Params | string, dialect: Dialect): string | AuthOutcome => {
    if (typeof parsed === 'string') {
      return verifyHmac ? invalidSecurity(parsed) : { ok: true, principal: 'anonymous', dialect };
    }
    if (!verifyHmac) return { ok: true, principal: parsed.accessId, dialect };
    return options.hmacKeys.get(parsed.accessId) ?? invalidAccessKeyId(parsed.accessId);
  };

  return (view) => {
    const scheme = classify(view, splitRawQuery(view.rawQuery));
    switch (scheme.kind) {
      case 'anonymous': {
        if (!options.requireAuth) return { ok: true, principal: 'anonymous', dialect: 'goog' };
        const target = requestTarget(view.rawPath, headerText(view.headers, 'host'), options.baseHosts);
        return accessDenied(anonymousDenialDetails(view.method, target.kind));
      }
      case 'bearer': {
        if (scheme.token === '') return authenticationRequired();
        const grant = options.tokens.check(scheme.token);
        if (grant !== undefined) {
          return scopeAllows(grant.scopes, view)
            ? { ok: true, principal: grant.subject, dialect: 'goog' }
            : accessDenied('Request had insufficient authentication scopes.');
        }
        if (options.requireAuth) return authenticationRequired();
        return { ok: true, principal: 'oauth2-caller', dialect: 'goog' };
      }
      case 'v4': {
        const gate = hmacGate(scheme.parsed, scheme.flavor === 'AWS4' ? 's3' : 'goog');
        return typeof gate === 'string' ? checkV4(view, scheme.parsed as V4Params, gate, clock.now()) : gate;
      }
      case 'v2': {
        const gate = hmacGate(scheme.parsed, scheme.dialect);
        return typeof gate === 'string'
          ? checkV2(view, scheme.parsed as V2Params, gate, clock.now(), options.baseHosts)
          : gate;
      }
      case 'unknown':
        return verifyHmac ? invalidSecurity() : { ok: true, principal: 'anonymous', dialect: 'goog' };
    }
  };
}
