// Pure retry policy: which requests may be repeated (idempotency by operation and precondition), which
// failures are transient, and how long to wait (exponential backoff with full jitter, a cap, an overall
// deadline, Retry-After honoured). No I/O, no clock: elapsed time and randomness come in, so it is a table
// to test. Defaults: gsutil/boto's base 1 s, factor 2 and cap 32 s, a 2 min deadline so a FUSE call fails
// visibly (gcsfuse's --max-retry-sleep and --retry-multiplier set the cap and the factor).

import type { StorageError, StorageErrorCode } from '../errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay scale before the first retry; grows by `multiplier` per attempt. */
  baseDelayMs: number;
  /** Growth factor of the delay scale per attempt (2: doubling). */
  multiplier: number;
  maxDelayMs: number;
  /** No retry starts (and no wait extends) past this many ms after the first attempt. */
  deadlineMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  multiplier: 2,
  maxDelayMs: 32_000,
  deadlineMs: 120_000,
};

/** What a request does, for idempotency. */
export type OperationKind =
  | 'read' // GET/HEAD of objects and buckets, listings, ACL reads
  | 'write' // upload (single PUT or resumable completion), copy, compose
  | 'delete-object'
  | 'set-acl' // ACL replacement (object, bucket, default object)
  | 'create-bucket'
  | 'delete-bucket'
  | 'resumable-start' // a retried start only leaves an unused session behind
  | 'resumable-chunk' // the uploader re-queries the session's status before resending
  | 'multipart-part' // a part number re-uploaded replaces the part
  | 'cancel'; // abandoning an upload session: best effort, nothing to protect

export interface RequestSafety {
  kind: OperationKind;
  ifGenerationMatch?: string;
  ifMetagenerationMatch?: string;
  /** The request targets one generation (delete/ACL of `?generation=`). */
  generation?: string;
}

/** Google's rule: GET/HEAD/list always; a mutation only when a precondition makes a second success
 *  impossible (a write with if-generation-match, a delete of one generation, an ACL/metadata change with
 *  if-metageneration-match). Bucket create/delete are never repeated: a retry could turn our own success
 *  into 'already-exists' or 'bucket-not-found'. */
export function isIdempotent(s: RequestSafety): boolean {
  switch (s.kind) {
    case 'read':
    case 'resumable-start':
    case 'resumable-chunk':
    case 'multipart-part':
    case 'cancel':
      return true;
    case 'write':
      return s.ifGenerationMatch !== undefined;
    case 'delete-object':
      return s.generation !== undefined || s.ifGenerationMatch !== undefined;
    case 'set-acl':
      return s.ifMetagenerationMatch !== undefined;
    case 'create-bucket':
    case 'delete-bucket':
      return false;
  }
}

const TRANSIENT: ReadonlySet<StorageErrorCode> = new Set([
  'timeout',
  'rate-limited',
  'unavailable',
  'network',
]);

/** 408, 429, 5xx, resets, timeouts; everything else is the request's fault and would fail again. */
export function isTransient(error: StorageError): boolean {
  return TRANSIENT.has(error.code);
}

export interface RetryInput {
  error: StorageError;
  /** Whether the request may be repeated (isIdempotent), or the failure proves it never reached the server. */
  idempotent: boolean;
  /** Attempts made so far (1 after the first failure). */
  attempt: number;
  /** Milliseconds since the first attempt started. */
  elapsedMs: number;
  /** Uniform in [0, 1). */
  random: () => number;
  options: RetryOptions;
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'not-transient' | 'not-idempotent' | 'attempts' | 'deadline' };

/** Full jitter: uniform in [0, min(cap, base * multiplier^(attempt-1))]; a server's Retry-After is a floor. */
export function decideRetry(input: RetryInput): RetryDecision {
  const { error, options } = input;
  if (!isTransient(error)) return { retry: false, reason: 'not-transient' };
  if (!input.idempotent) return { retry: false, reason: 'not-idempotent' };
  if (input.attempt >= options.maxAttempts) return { retry: false, reason: 'attempts' };
  const ceiling = Math.min(
    options.maxDelayMs,
    options.baseDelayMs * options.multiplier ** (input.attempt - 1),
  );
  const jittered = Math.floor(input.random() * ceiling);
  const delayMs = Math.max(jittered, error.retryAfterMs ?? 0);
  if (input.elapsedMs + delayMs > options.deadlineMs) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs };
}
