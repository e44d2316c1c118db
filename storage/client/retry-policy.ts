// Pure retry policy: which requests may be repeated (idempotency by operation and precondition), which
// failures are transient, which of those prove the server did nothing (a refusal, safe to repeat anything)
// and which leave the outcome unknown (the caller may have to ask the store what happened), and how long to
// wait (exponential backoff with full jitter, a cap, an overall deadline, Retry-After honoured). No I/O, no
// clock: elapsed time and randomness come in, so it is a table to test. Defaults: gsutil/boto's base 1 s and
// cap 32 s (factor 2), a 2 min deadline so a FUSE call fails visibly; gcsfuse's --max-retry-sleep and
// --retry-multiplier set the cap and the factor.

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
 *  impossible (a write with if-generation-match, a delete of one generation or with if-generation-match,
 *  an ACL/metadata change with if-metageneration-match). An unconditioned object delete is not: if the
 *  first attempt did delete and someone then wrote the name again, a repeat would delete their newer
 *  object. A bucket delete is repeated: a bucket must be empty to go and its name stays ours for a while,
 *  so a repeat can only find it gone ('bucket-not-found', which the caller reads as success after a lost
 *  answer: storage/client/buckets.ts). A bucket create is not: a repeat would turn our own success into
 *  'already-exists'. Whatever the operation, a refusal (isRefusal) is always safe to repeat. */
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
    case 'delete-bucket':
      return true;
    case 'create-bucket':
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

/** 429 and 408 refuse the request before it is processed (RFC 6585, RFC 9110 15.5.9): nothing happened,
 *  so even a mutation that is not idempotent may be sent again. (A refused connection is the transport's
 *  own proof: http.ts neverSent.) */
export function isRefusal(error: StorageError): boolean {
  return error.status === 429 || error.status === 408;
}

/** A transient failure after which the request may or may not have taken effect: a lost or cut response,
 *  a timeout while waiting for the answer, a 5xx (a gateway can answer 502/504 after the backend acted).
 *  A mutation that ends this way is settled by asking the store (objects.ts deleteObject, uploads.ts). */
export function isOutcomeUnknown(error: StorageError, neverSent: boolean): boolean {
  return isTransient(error) && !isRefusal(error) && !neverSent;
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
  if (!input.idempotent && !isRefusal(error)) return { retry: false, reason: 'not-idempotent' };
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
