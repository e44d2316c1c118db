// Typed storage errors: a closed union of codes that callers branch on (never on message text), with the
// service's own code, message and request id kept for logs. The HTTP-status -> code mapping lives with the
// XML client; the code -> errno mapping lives in daemon/fuse/errno.ts.

export type StorageErrorCode =
  | 'not-found' // object (or upload session) missing
  | 'bucket-not-found'
  | 'already-exists' // bucket name taken / already owned
  | 'bucket-not-empty'
  | 'precondition-failed' // 412: generation/metageneration/etag condition false
  | 'not-modified' // 304
  | 'conflict' // other 409
  | 'range-not-satisfiable' // 416
  | 'invalid-argument' // 400 family
  | 'invalid-name' // bucket or object name rejected
  | 'too-large' // metadata, entity or name too large
  | 'integrity' // checksum mismatch (either side)
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'credentials' // local credential problem: missing/unreadable key file, bad JSON, revoked token
  | 'rate-limited' // 429
  | 'unavailable' // 5xx
  | 'timeout' // connect/idle/stall timeout or 408
  | 'network' // reset, refused, DNS
  | 'not-implemented' // 501 or unsupported by this backend
  | 'aborted'; // caller aborted

export interface StorageErrorDetails {
  status?: number;
  /** The service's `<Code>` (e.g. `NoSuchKey`). */
  serviceCode?: string;
  requestId?: string;
  bucket?: string;
  object?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly status: number | undefined;
  readonly serviceCode: string | undefined;
  readonly requestId: string | undefined;
  readonly bucket: string | undefined;
  readonly object: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: StorageErrorCode, message: string, details: StorageErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.serviceCode = details.serviceCode;
    this.requestId = details.requestId;
    this.bucket = details.bucket;
    this.object = details.object;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}

/** The contract's abort rule for a call that needs no request (the fake, a cache hit): 'aborted' if the
 *  caller's signal already fired. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new StorageError('aborted', 'call aborted', { cause: signal.reason });
  }
}

/** A not-found answered from a cache, with no request: an expected answer on hot paths (every lookup of
 *  an implicit directory's marker), so made without a stack trace, whose capture in a deep async stack
 *  costs more (about 12 us) than the rest of the answer. */
export function cachedNotFound(bucket: string, name: string): StorageError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new StorageError('not-found', `${name}: not found (cached)`, { bucket, object: name });
  } finally {
    Error.stackTraceLimit = limit;
  }
}
