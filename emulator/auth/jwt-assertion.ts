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

type Claims = Record<string, unknown>;

/** Decodes a compact JWS and checks its RS256 signature against the issuer's registered key. */
function verifySignature(
  registry: Pick<TokenRegistry, 'serviceAccount'>,
  jwt: string,
): { claims: Claims; iss: string } | { failure: OAuthError } {
  const failure = (description: string) => ({ failure: grantError(description) });
  const parts = jwt.split('.');
  const [head, body, sig] = parts;
  const header = head === undefined ? undefined : decodeSegment(head);
  const claims = body === undefined ? undefined : decodeSegment(body);
  if (parts.length !== 3 || header === undefined || claims === undefined || sig === undefined) {
    return failure('Invalid JWT Signature.');
  }
  const iss = claims['iss'];
  if (typeof iss !== 'string') return failure('Invalid JWT: No issuer claim.');
  const account = registry.serviceAccount(iss);
  if (account === undefined) return failure('Invalid grant: account not found');
  const kid = header['kid'];
  if (header['alg'] !== 'RS256') return failure('Invalid JWT Signature.');
  if (kid !== undefined && account.privateKeyId !== undefined && kid !== account.privateKeyId) {
    return failure('Invalid JWT Signature.');
  }
  const signed = Buffer.from(`${head ?? ''}.${body ?? ''}`, 'utf8');
  if (!verify('RSA-SHA256', signed, account.publicKey, Buffer.from(sig, 'base64url'))) {
    return failure('Invalid JWT Signature.');
  }
  return { claims, iss };
}

/** iat/exp present, at most an hour apart, and `now` inside them give or take the allowed skew. */
function shortLivedAndCurrent(claims: Claims, nowMs: number): boolean {
  const iat = claims['iat'];
  const exp = claims['exp'];
  const now = nowMs / 1000;
  return (
    typeof iat === 'number' &&
    typeof exp === 'number' &&
    exp > iat &&
    exp - iat <= MAX_ASSERTION_LIFETIME_S &&
    iat <= now + ASSERTION_SKEW_S &&
    exp >= now - ASSERTION_SKEW_S
  );
}

function scopesOf(claims: Claims): string[] {
  const scope = claims['scope'];
  return typeof scope === 'string' && scope.trim() !== '' ? scope.trim().split(/\s+/) : [];
}

/** Checks one token-endpoint assertion; `audiences` are the token URLs accepted for `aud`. */
export function verifyAssertion(
  registry: Pick<TokenRegistry, 'serviceAccount'>,
  assertion: string,
  audiences: readonly string[],
  nowMs: number,
): VerifiedAssertion | OAuthError {
  const verified = verifySignature(registry, assertion);
  if ('failure' in verified) return verified.failure;
  const { claims, iss } = verified;
  const aud = claims['aud'];
  if (typeof aud !== 'string' || !audiences.includes(aud)) {
    return grantError(
      `Invalid JWT: Failed audience check. The expected value was ${GOOGLE_TOKEN_URL} but the actual value was ${
        typeof aud === 'string' ? aud : 'missing'
      }.`,
    );
  }
  if (!shortLivedAndCurrent(claims, nowMs)) return grantError(SHORT_LIVED);
  const scopes = scopesOf(claims);
  if (scopes.length === 0) {
    return {
      status: 400,
      error: 'invalid_scope',
      description: 'Invalid OAuth scope or ID token audience provided.',
    };
  }
  // A `sub` claim is domain-wide delegation: the token then speaks for that user.
  const sub = claims['sub'];
  return { subject: typeof sub === 'string' && sub !== '' ? sub : iss, scopes };
}

/** A self-signed JWT used directly as a bearer token (google-auth-library's JWTAccess, no token
 *  exchange): valid when signed by a registered service account, current, and carrying `aud` or `scope`. */
export function verifySelfSignedJwt(
  registry: Pick<TokenRegistry, 'serviceAccount'>,
  token: string,
  nowMs: number,
): (VerifiedAssertion & { expiresAt: number }) | undefined {
  const verified = verifySignature(registry, token);
  if ('failure' in verified) return undefined;
  const { claims, iss } = verified;
  if (!shortLivedAndCurrent(claims, nowMs)) return undefined;
  const scopes = scopesOf(claims);
  if (scopes.length === 0 && typeof claims['aud'] !== 'string') return undefined;
  // An audience-bound JWT carries no scope; Google treats it as valid for the whole API it names.
  const granted = scopes.length > 0 ? scopes : ['https://www.googleapis.com/auth/cloud-platform'];
  return { subject: iss, scopes: granted, expiresAt: (claims['exp'] as number) * 1000 };
}
