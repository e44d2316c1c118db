// The authentication failures the emulator reports, with GCS's codes and texts (spec §2.7, §7.2) in one
// place so every scheme words the same failure the same way. It builds AuthOutcome values only; rendering
// the XML body is the server's job.

import type { AuthOutcome } from '../hooks.js';

export type AuthFailure = Extract<AuthOutcome, { ok: false }>;

export function invalidSecurity(details = 'Incorrect Authorization header'): AuthFailure {
  return {
    ok: false,
    status: 403,
    code: 'InvalidSecurity',
    message: 'The provided security credentials are not valid.',
    details,
  };
}

export function invalidAccessKeyId(accessId: string): AuthFailure {
  return {
    ok: false,
    status: 403,
    code: 'InvalidAccessKeyId',
    message: 'The access key Id you provided does not exist in our records.',
    details: `Access key ${accessId} not found.`,
  };
}

export function signatureDoesNotMatch(stringToSign: string, canonicalRequest?: string): AuthFailure {
  const failure: AuthFailure = {
    ok: false,
    status: 403,
    code: 'SignatureDoesNotMatch',
    message: 'Access denied.',
    details:
      'The request signature we calculated does not match the signature you provided. ' +
      'Check your Google secret key and signing method.',
    stringToSign,
  };
  if (canonicalRequest !== undefined) failure.canonicalRequest = canonicalRequest;
  return failure;
}

export function requestTimeTooSkewed(requestTime: string): AuthFailure {
  return {
    ok: false,
    status: 403,
    code: 'RequestTimeTooSkewed',
    message: 'The difference between the request time and the current time is too large.',
    details: `Request time ${requestTime} differs from the server time by more than 15 minutes.`,
  };
}

export function expiredToken(expiredAt: Date): AuthFailure {
  return {
    ok: false,
    status: 400,
    code: 'ExpiredToken',
    message: 'The provided token has expired.',
    details: `Request signature expired at: ${expiredAt.toISOString().replace(/\.\d{3}Z$/, '+00:00')}`,
  };
}

export function missingSecurityHeader(header: string): AuthFailure {
  return {
    ok: false,
    status: 400,
    code: 'MissingSecurityHeader',
    message: 'Your request was missing a required header.',
    details: `Missing header: ${header}`,
  };
}

export function invalidArgument(details: string): AuthFailure {
  return { ok: false, status: 400, code: 'InvalidArgument', message: 'Invalid argument.', details };
}

export function authenticationRequired(): AuthFailure {
  return { ok: false, status: 401, code: 'AuthenticationRequired', message: 'Authentication required.' };
}

export function accessDenied(details: string): AuthFailure {
  return { ok: false, status: 403, code: 'AccessDenied', message: 'Access denied.', details };
}
