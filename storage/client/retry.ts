// Runs an operation's attempts under retry-policy.ts: waits on the injected Clock (so tests advance a
// ManualClock), stops at once when the caller's AbortSignal fires, and after a 401 asks the credentials to
// drop their token once and retries immediately (a 401 means the request was refused before it did
// anything, so that retry is safe even for a mutation). It does not know what an attempt sends. Every
// retry is reported to the context's onRetry hook (metrics count through it, never through log text), and
// each failed attempt to the call's onAttemptFailed, so a mutation can tell afterwards whether an attempt
// of its own may have taken effect (retry-policy.ts isOutcomeUnknown).

import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { Credentials } from '../auth/credentials.js';
import { StorageError } from '../errors.js';
import { neverSent, transportError } from './http.js';
import { decideRetry, isOutcomeUnknown } from './retry-policy.js';
import type { RetryOptions } from './retry-policy.js';

/** One retry about to be waited for: what failed and how long the wait is. */
export interface RetryEvent {
  what: string;
  /** The attempt that failed (1 for the first). */
  attempt: number;
  code: StorageError['code'];
  status: number | undefined;
  delayMs: number;
}

export interface RetryContext {
  clock: Clock;
  random: () => number;
  retry: RetryOptions;
  credentials: Credentials;
  logger: Logger;
  /** Called once per retry, before its backoff wait (the 401 refresh is not a retry of the request). */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/** Whether this failure leaves unknown whether the request took effect (see isOutcomeUnknown). */
export function outcomeUnknown(error: StorageError): boolean {
  return isOutcomeUnknown(error, neverSent(error));
}

/** Remembers whether any attempt of one call ended with an unknown outcome: give `onAttemptFailed` to
 *  withRetry, read `lost` after it. */
export class LostOutcomes {
  lost = false;
  readonly onAttemptFailed = (error: StorageError): void => {
    if (outcomeUnknown(error)) this.lost = true;
  };
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function abortedError(signal: AbortSignal | undefined): StorageError {
  return new StorageError('aborted', 'operation aborted', { cause: signal?.reason });
}

/** Calls `attempt(n)` (n from 1) until it succeeds, fails for good, or the signal aborts. */
export async function withRetry<T>(
  ctx: RetryContext,
  options: {
    idempotent: boolean;
    signal?: AbortSignal | undefined;
    what: string;
    /** Sees every failed attempt, the last one included, before the retry decision. */
    onAttemptFailed?: (error: StorageError, attempt: number) => void;
  },
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  const { signal } = options;
  const started = ctx.clock.now();
  let invalidated = false;
  for (let n = 1; ; n++) {
    if (isAborted(signal)) throw abortedError(signal);
    let error: StorageError;
    try {
      return await attempt(n);
    } catch (e) {
      error = transportError(e, signal);
    }
    options.onAttemptFailed?.(error, n);
    if (isAborted(signal)) throw abortedError(signal);
    if (error.code === 'aborted') throw error;
    if (error.code === 'unauthenticated' && !invalidated) {
      invalidated = true;
      if (ctx.credentials.invalidate()) {
        ctx.logger.debug('401: retrying with fresh credentials', { what: options.what });
        continue;
      }
    }
    const decision = decideRetry({
      error,
      idempotent: options.idempotent || neverSent(error),
      attempt: n,
      elapsedMs: ctx.clock.now() - started,
      random: ctx.random,
      options: ctx.retry,
    });
    if (!decision.retry) {
      if (n > 1) ctx.logger.debug('giving up', { what: options.what, attempts: n, reason: decision.reason });
      throw error;
    }
    const event: RetryEvent = {
      what: options.what,
      attempt: n,
      code: error.code,
      status: error.status,
      delayMs: decision.delayMs,
    };
    ctx.onRetry?.(event);
    ctx.logger.debug('retrying', { ...event });
    try {
      await ctx.clock.sleep(decision.delayMs, signal);
    } catch {
      throw abortedError(signal);
    }
  }
}
