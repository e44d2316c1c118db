// Credentials for public buckets: authorize() adds nothing, so GCS treats the caller as allUsers.
// Chosen only when asked for (--anonymous); resolve.ts never falls back to it silently, because a
// mount that quietly lost its identity fails later with confusing 403s.

import type { Credentials, RequestToSign } from './credentials.js';

export class AnonymousCredentials implements Credentials {
  readonly description = 'anonymous (no credentials)';

  authorize(request: RequestToSign): Promise<void> {
    // A header left over from an earlier attempt must not leak an identity into an anonymous request.
    delete request.headers['authorization'];
    return Promise.resolve();
  }

  /** Nothing to refresh. */
  invalidate(): boolean {
    return false;
  }
}
