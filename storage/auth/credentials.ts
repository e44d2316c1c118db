// The seam between the HTTP client and every way of proving identity (OAuth2 tokens, HMAC signatures,
// nothing at all). The client builds a request, asks its Credentials to authorize it (set headers), then
// sends it; after a 401 it calls invalidate() and retries once. Implementations: oauth2.ts, hmac.ts,
// anonymous.ts; resolve.ts picks one from flags, environment and the .boto file.

export interface RequestToSign {
  method: string;
  /** The full URL as it will be sent (path already percent-encoded). */
  url: URL;
  /** Request headers, names lower-case. authorize() may add or replace entries (authorization, dates). */
  headers: Record<string, string>;
}

export interface Credentials {
  /** Which credential this is, for messages ("service-account key /etc/k.json (sa@p.iam...)"). Never a secret. */
  readonly description: string;
  /** Sets whatever headers prove identity; anonymous credentials set none. */
  authorize(request: RequestToSign, signal?: AbortSignal): Promise<void>;
  /** After a 401: drop cached tokens so the next authorize() fetches fresh ones. Returns false when a retry
   *  cannot help (HMAC, anonymous). */
  invalidate(): boolean;
}
