// Runs an operation's attempts under retry-policy.ts: waits on the injected Clock (so tests advance a
// ManualClock), stops at once when the caller's AbortSignal fires, and after a 401 asks the credentials to
// drop their token once and retries immediately (a 401 means the request was refused before it did
// anything, so that retry is safe even for a mutation). It does not know what an attempt sends.

import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { Credentials } from '../auth/credentials.js';
import { StorageError } from '../errors.js';
import { neverSent, transportError } from './http.js';
import { decideRetry } from './retry-policy.js';
import type { RetryOptions } from './retry-policy.js';

export interface RetryContext {
  clock: Clock;
  random: () => number;
  retry: RetryOptions;
  credentials: Credentials;
  logger: Logger;
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
  options: { idempotent: boolean; signal?: AbortSignal | undefined; what: string },
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
    ctx.logger.debug('retrying', {
      what: options.what,
      attempt: n,
      code: error.code,
      status: error.status,
      delayMs: decision.delayMs,
    });
    try {
      await ctx.clock.sleep(decision.delayMs, signal);
    } catch {
      throw abortedError(signal);
    }
  }
}
