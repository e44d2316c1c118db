// The emulator's two cross-cutting hooks, fixed here so that the HTTP core (server, routing, handlers) and
// the modules that plug into it (request authentication in emulator/auth/, fault injection in
// emulator/faults/) are built and tested apart. The server calls `faults` first (a fault may answer or
// break the connection in place of the real handler), then `authenticate`, then routes.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** Which protocol dialect a request speaks; AWS-signed requests get S3-style metadata headers and ACL XML. */
export type Dialect = 'goog' | 's3';

/** What authentication decided about one request. */
export type AuthOutcome =
  | {
      ok: true;
      /** Who is calling: an HMAC access id, a token's subject, or 'anonymous'. */
      principal: string;
      dialect: Dialect;
    }
  | {
      ok: false;
      status: 400 | 401 | 403;
      /** The XML `<Code>`, e.g. `SignatureDoesNotMatch`, `AuthenticationRequired`, `InvalidAccessKeyId`. */
      code: string;
      message: string;
      details?: string;
      /** Included in SignatureDoesNotMatch bodies, as the real service does, to make client debugging easy. */
      stringToSign?: string;
      canonicalRequest?: string;
    };

/** The request as authentication needs it. `rawPath` is exactly as received (still percent-encoded),
 *  without the query; `rawQuery` is the text after `?` (may be empty). Body hashing is not available:
 *  V4 payload hashes are taken from the client's header as GCS does. */
export interface AuthRequestView {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: IncomingMessage['headers'];
}

export type Authenticate = (request: AuthRequestView) => AuthOutcome | Promise<AuthOutcome>;

/** Fault injection decides per request; `'pass'` lets the request through untouched. A fault handler that
 *  takes over writes the response itself (or destroys the socket) and resolves once done. */
export type FaultDecision =
  | 'pass'
  | { takeOver: (req: IncomingMessage, res: ServerResponse) => Promise<void> }
  | { delayMs: number }
  /** Caps response body throughput for this request (bytes per second). */
  | { bandwidthBps: number };

export type FaultHook = (request: AuthRequestView) => FaultDecision;
