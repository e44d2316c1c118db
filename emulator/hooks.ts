// The emulator's two cross-cutting hooks, fixed here so that the HTTP core (server, routing, handlers) and
// the modules that plug into it (request authentication in emulator/auth/, fault injection in
// emulator/faults/) are built and tested apart. The server offers the request to the side routes first, then
// calls the fault injector (a fault may answer or break the connection in place of the real handler), then
// `authenticate`, then routes.

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

/** Fault injection (emulator/faults/). The server calls `apply` before authentication and routing, for every
 *  request except the reserved side routes. It may delay the request, answer it with an error in place of the
 *  handler (then it resolves 'handled'), destroy the connection ('handled'), or wrap `req`/`res` so that the
 *  handler's body is throttled, stalled or cut after some bytes ('continue'). Seeded: the same seed and the
 *  same request sequence give the same faults. */
export interface FaultInjector {
  apply(req: IncomingMessage, res: ServerResponse, view: AuthRequestView): Promise<'handled' | 'continue'>;
}

/** A route served beside the XML API under a reserved path (`POST /token`, `/_emulator/faults`). Resolves
 *  true when it recognised and answered the request, false to let the XML API handle it. */
export type SideRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
