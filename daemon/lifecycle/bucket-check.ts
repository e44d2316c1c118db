// The mount's first requests, an access token and then the bucket (HEAD, or the bucket list of a project
// mount), under one short deadline. An endpoint that accepts connections but never answers passes the
// connect check (preflight.ts); without this deadline the data path's stall timeout (60 s) and retries
// would keep the mount silent for minutes. Here it fails in seconds: "ENDPOINT did not answer within N s".
// Only these requests get the deadline; data requests keep their own timeouts and retry policy.

import { systemClock, type Clock } from '../../common/clock.js';
import type { Credentials } from '../../storage/auth/credentials.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { RetryEvent } from '../../storage/client/retry.js';
import { PreflightError } from './preflight.js';

/** Token, then bucket, together: the connect check (3 s) plus this stays under the 10 s. */
export const FIRST_REQUESTS_TIMEOUT_MS = 5000;

export interface BucketCheck {
  endpoint: string;
  credentials: Credentials;
  backend: Pick<StorageBackend, 'headBucket' | 'listBuckets'>;
  /** A bucket name, or undefined for a project mount (list the project's buckets). */
  bucket: string | undefined;
  project?: string | undefined;
  /** The last retry of the check's requests (give `retries.note` to the client's onRetry). */
  retries?: RetryWatch;
  timeoutMs?: number;
  clock?: Clock;
}

/** Remembers the last retry event, so a deadline hit after answers (503s) says so. */
export class RetryWatch {
  last: RetryEvent | undefined;
  readonly note = (event: RetryEvent): void => {
    this.last = event;
  };
}

export async function checkBucket(c: BucketCheck): Promise<void> {
  const timeoutMs = c.timeoutMs ?? FIRST_REQUESTS_TIMEOUT_MS;
  const deadline = new AbortController();
  const stopTimer = new AbortController();
  (c.clock ?? systemClock).sleep(timeoutMs, stopTimer.signal).then(
    () => deadline.abort(new Error('deadline')),
    () => undefined,
  );
  const signal = deadline.signal;
  const within = `within ${timeoutMs / 1000} s`;
  let phase: 'token' | 'bucket' = 'token';
  try {
    // A throwaway request: OAuth2 credentials fetch (and cache) their token, HMAC and anonymous do nothing.
    await c.credentials.authorize({ method: 'HEAD', url: new URL(c.endpoint), headers: {} }, signal);
    phase = 'bucket';
    if (c.bucket === undefined)
      await c.backend.listBuckets({ ...(c.project ? { project: c.project } : {}), signal });
    else await c.backend.headBucket(c.bucket, { signal });
  } catch (err) {
    if (!signal.aborted) throw err;
    if (phase === 'token') {
      throw new PreflightError(
        `no access token ${within}: the token endpoint of ${c.credentials.description} did not answer`,
      );
    }
    const what = c.bucket === undefined ? 'listing the buckets' : `checking bucket ${c.bucket}`;
    const last = c.retries?.last;
    if (last?.status !== undefined) {
      throw new PreflightError(
        `${c.endpoint} gave no usable answer ${within} (${what}: HTTP ${last.status}, ${last.attempt} attempts)`,
      );
    }
    throw new PreflightError(`${c.endpoint} did not answer ${within} (${what})`);
  } finally {
    stopTimer.abort();
  }
}
