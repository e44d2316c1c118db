// Verification of the RS256 JWT assertions service accounts send to the token endpoint (RFC 7523 as Google
// runs it): signature by the registered key, audience, a short lifetime, a scope. It answers with Google's own
// error pairs so that client libraries surface the texts users would see against the real service. It does
// not issue tokens; token-endpoint.ts does.

import { verify } from 'node:crypto';
import type { TokenRegistry } from './token-registry.js';

/** The official token URL; client libraries put it in `aud` whatever URL they actually post to. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** Older key files and libraries still name this one. */
export const LEGACY_TOKEN_URL = 'https://www.googleapis.com/oauth2/v4/token';
export const MAX_ASSERTION_LIFETIME_S = 3600;
export const ASSERTION_SKEW_S = 300;

export interface OAuthError {
  status: 400 | 401;
  error: string;
  description: string;
}

export interface VerifiedAssertion {
  subject: string;
  scopes: string[];
}

const SHORT_LIVED =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. ' +
  'Check your iat and exp values in the JWT claim.';

const grantError = (description: string): OAuthError => ({
  status: 400,
  error: 'invalid_grant',
  description,
});

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Checks one assertion against the registry; `audiences` are the token URLs accepted for `aud`. */
export function verifyAssertion(
  registry: Pick<TokenRegistry, 'serviceAccount'>,
  assertion: string,
  audiences: readonly string[],
  nowMs: number,
): VerifiedAssertion | OAuthError {
  const parts = assertion.split('.');
  const [head, body, sig] = parts;
  const header = head === undefined ? undefined : decodeSegment(head);
  const claims = body === undefined ? undefined : decodeSegment(body);
  if (parts.length !== 3 || header === undefined || claims === undefined || sig === undefined) {
    return grantError('Invalid JWT Signature.');
  }
  const iss = claims['iss'];
  if (typeof iss !== 'string') return grantError('Invalid JWT: No issuer claim.');
  const account = registry.serviceAccount(iss);
  if (account === undefined) return grantError('Invalid grant: account not found');
  const kid = header['kid'];
  if (header['alg'] !== 'RS256') return grantError('Invalid JWT Signature.');
  if (kid !== undefined && account.privateKeyId !== undefined && kid !== account.privateKeyId) {
    return grantError('Invalid JWT Signature.');
  }
  const signed = Buffer.from(`${head ?? ''}.${body ?? ''}`, 'utf8');
  if (!verify('RSA-SHA256', signed, account.publicKey, Buffer.from(sig, 'base64url'))) {
    return grantError('Invalid JWT Signature.');
  }
  const aud = claims['aud'];
  if (typeof aud !== 'string' || !audiences.includes(aud)) {
    return grantError(
      `Invalid JWT: Failed audience check. The expected value was ${GOOGLE_TOKEN_URL} but the actual value was ${
        typeof aud === 'string' ? aud : 'missing'
      }.`,
    );
  }
  const iat = claims['iat'];
  const exp = claims['exp'];
  const now = nowMs / 1000;
  if (
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    exp <= iat ||
    exp - iat > MAX_ASSERTION_LIFETIME_S ||
    iat > now + ASSERTION_SKEW_S ||
    exp < now - ASSERTION_SKEW_S
  ) {
    return grantError(SHORT_LIVED);
  }
  const scope = claims['scope'];
  if (typeof scope !== 'string' || scope.trim() === '') {
    return {
      status: 400,
      error: 'invalid_scope',
      description: 'Invalid OAuth scope or ID token audience provided.',
    };
  }
  // A `sub` claim is domain-wide delegation: the token then speaks for that user.
  const sub = claims['sub'];
  return { subject: typeof sub === 'string' && sub !== '' ? sub : iss, scopes: scope.trim().split(/\s+/) };
}
