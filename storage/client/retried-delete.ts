// A DELETE (of an object or a bucket) sent under the retry policy, answering what its caller needs to
// settle a failure: the error, and whether an earlier attempt's outcome was lost (a timeout, a reset, a
// 5xx), in which case the delete may have happened and a 404 or 412 on a retry proves nothing by itself.

import type { CallSpec, ClientContext } from './exchange.js';
import { exchangeOnce } from './exchange.js';
import { readText } from './http.js';
import { LostOutcomes, withRetry } from './retry.js';
import { isIdempotent } from './retry-policy.js';

export interface DeleteOutcome {
  /** The error left after retries; undefined when the delete succeeded. */
  failure?: Error;
  /** An earlier attempt's outcome is unknown (it may have deleted). */
  lost: boolean;
}

export async function retriedDelete(ctx: ClientContext, spec: CallSpec): Promise<DeleteOutcome> {
  const attempts = new LostOutcomes();
  try {
    await withRetry(
      ctx,
      {
        idempotent: isIdempotent(spec.safety),
        signal: spec.signal,
        what: `DELETE ${spec.path}`,
        onAttemptFailed: attempts.onAttemptFailed,
      },
      async () => {
        await readText((await exchangeOnce(ctx, spec)).body, spec.signal);
      },
    );
    return { lost: attempts.lost };
  } catch (failure) {
    return { failure: failure instanceof Error ? failure : new Error(String(failure)), lost: attempts.lost };
  }
}
