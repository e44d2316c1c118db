// HTTP status + `<Error>` body + headers -> StorageError (spec §7). The service's `<Code>` decides when it
// is one we know (codes are stable), the status decides otherwise; message text is never parsed. Bodies
// that are empty (HEAD), HTML or JSON (load balancers, quota) are tolerated: the status alone still maps.

import { StorageError } from '../errors.js';
import type { StorageErrorCode, StorageErrorDetails } from '../errors.js';
import { child, parseXml, text } from './parser.js';

/** Header access over either fetch's Headers or node/undici's plain header object. */
export type HeaderSource =
  { get(name: string): string | null } | Record<string, string | string[] | undefined>;

export interface ErrorContext {
  /** What a bodiless 404 is about: a HEAD on a bucket is 'bucket-not-found', on an object 'not-found'. */
  resource?: 'bucket' | 'object';
  bucket?: string;
  object?: string;
  /** Now, for a `Retry-After` given as an HTTP date (default Date.now()). */
  now?: number;
}

/** Service codes that fix the error code whatever the status. */
const BY_SERVICE_CODE: Record<string, StorageErrorCode> = {
  NoSuchKey: 'not-found',
  NoSuchUpload: 'not-found',
  NoSuchBucket: 'bucket-not-found',
  BucketNotEmpty: 'bucket-not-empty',
  BucketAlreadyOwnedByYou: 'already-exists',
  BucketNameUnavailable: 'already-exists',
  BucketAlreadyExists: 'already-exists',
  PreconditionFailed: 'precondition-failed',
  NotModified: 'not-modified',
  InvalidRange: 'range-not-satisfiable',
  InvalidBucketName: 'invalid-name',
  KeyTooLong: 'invalid-name',
  InvalidURI: 'invalid-name',
  BadDigest: 'integrity',
  CrcMismatch: 'integrity',
  InvalidDigest: 'integrity',
  // Fewer body bytes arrived than announced: the data did not get there intact; resend it.
  IncompleteBody: 'integrity',
  EntityTooLarge: 'too-large',
  MetadataTooLarge: 'too-large',
  AuthenticationRequired: 'unauthenticated',
  AccessDenied: 'forbidden',
  AccountProblem: 'forbidden',
  UserProjectAccountProblem: 'forbidden',
  SignatureDoesNotMatch: 'credentials',
  InvalidAccessKeyId: 'credentials',
  InvalidSecurity: 'credentials',
  RequestTimeTooSkewed: 'credentials',
  RequestTimeout: 'timeout',
  // SlowDown is left to the status: 429 is 'rate-limited' (EAGAIN once retries are spent), a 503 SlowDown
  // is the service failing like any 5xx ('unavailable', EIO).
  NotImplemented: 'not-implemented',
  InternalError: 'unavailable',
  ServiceUnavailable: 'unavailable',
};

function byStatus(status: number, resource: ErrorContext['resource']): StorageErrorCode {
  switch (status) {
    case 304:
      return 'not-modified';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return resource === 'bucket' ? 'bucket-not-found' : 'not-found';
    case 405:
    case 501:
      return 'not-implemented';
    case 408:
      return 'timeout';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition-failed';
    case 413:
      return 'too-large';
    case 416:
      return 'range-not-satisfiable';
    case 429:
      return 'rate-limited';
    case 499:
      return 'aborted';
  }
  if (status >= 500) return 'unavailable';
  // A temporary redirect (new bucket DNS) is worth retrying; the other 3xx/4xx are the request's fault.
  if (status === 307) return 'unavailable';
  return 'invalid-argument';
}

function isFetchHeaders(h: HeaderSource): h is { get(name: string): string | null } {
  return typeof h.get === 'function';
}

function header(headers: HeaderSource | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  const record = headers;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : record[key];
  return Array.isArray(v) ? v[0] : v;
}

/** `Retry-After` as delta-seconds or an HTTP date. */
function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface ServiceError {
  code?: string;
  message?: string;
  details?: string;
}

/** Reads `<Error>` if the body is one; anything else (HTML, JSON, garbage) yields nothing. */
export function parseErrorBody(body: string | undefined): ServiceError {
  if (body === undefined || !body.trimStart().startsWith('<')) return {};
  try {
    const error = child(parseXml(body), 'Error');
    if (error === undefined) return {};
    const out: ServiceError = {};
    const code = text(error, 'Code')?.trim();
    const message = text(error, 'Message');
    const details = text(error, 'Details');
    if (code !== undefined && code !== '') out.code = code;
    if (message !== undefined && message !== '') out.message = message;
    if (details !== undefined && details !== '') out.details = details;
    return out;
  } catch {
    return {};
  }
}

/** Whether a body (e.g. of a 200 multipart completion) is an `<Error>` document. */
export function isErrorBody(body: string): boolean {
  return parseErrorBody(body).code !== undefined;
}

export function storageErrorFromResponse(
  status: number,
  body: string | undefined,
  headers?: HeaderSource,
  context: ErrorContext = {},
): StorageError {
  const service = parseErrorBody(body);
  const known = service.code === undefined ? undefined : BY_SERVICE_CODE[service.code];
  const code = known ?? byStatus(status, context.resource);
  const summary = service.message ?? `HTTP ${status}`;
  const message = [service.code, summary, service.details].filter((s) => s !== undefined).join(': ');
  const details: StorageErrorDetails = { status };
  if (service.code !== undefined) details.serviceCode = service.code;
  const requestId = header(headers, 'x-guploader-uploadid');
  if (requestId !== undefined) details.requestId = requestId;
  const retry = retryAfterMs(header(headers, 'retry-after'), context.now ?? Date.now());
  if (retry !== undefined) details.retryAfterMs = retry;
  if (context.bucket !== undefined) details.bucket = context.bucket;
  if (context.object !== undefined) details.object = context.object;
  return new StorageError(code, message, details);
}
