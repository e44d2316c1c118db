// One authorized request, retried: the seam every operation module uses. Builds the headers every request
// carries (user agent, accept-encoding: gzip, content-length), asks the Credentials to authorize each attempt
// afresh (signatures carry a date, tokens expire), and turns a non-2xx answer into a typed StorageError via
// storage/xml/error-response.ts. Operation modules decide URLs, headers and idempotency; this owns none.

import { defined } from '../../common/defined.js';
import type { Credentials } from '../auth/credentials.js';
import type { StorageError } from '../errors.js';
import { StorageError as StorageErrorClass } from '../errors.js';
import { storageErrorFromResponse } from '../xml/error-response.js';
import type { ErrorContext } from '../xml/error-response.js';
import { discard, readText } from './http.js';
import type { HttpResponse, HttpTransport } from './http.js';
import { withRetry } from './retry.js';
import type { RetryContext } from './retry.js';
import { isIdempotent } from './retry-policy.js';
import type { RequestSafety } from './retry-policy.js';

export interface ClientContext extends RetryContext {
  endpoint: URL;
  transport: HttpTransport;
  credentials: Credentials;
  userAgent: string;
  project: string | undefined;
  /** Billed for every request (requester pays): sent as x-goog-user-project. */
  userProject: string | undefined;
}

export interface CallSpec {
  method: string;
  /** Already-encoded path, e.g. `/bucket/a%20b`. */
  path: string;
  /** Query parameters in order; `null` values are valueless (`?acl`). */
  query?: [string, string | null][];
  headers?: Record<string, string>;
  /** Resent as is by every attempt. */
  body?: Buffer;
  /** Session URIs (resumable uploads) are used verbatim instead of endpoint + path. */
  url?: URL;
  safety: RequestSafety;
  errorContext?: ErrorContext;
  /** Statuses besides 2xx that are answers (308 for resumable uploads). */
  accept?: readonly number[];
  signal?: AbortSignal | undefined;
}

export function requestUrl(ctx: ClientContext, spec: Pick<CallSpec, 'path' | 'query' | 'url'>): URL {
  if (spec.url !== undefined) return new URL(spec.url);
  const url = new URL(ctx.endpoint.origin + ctx.endpoint.pathname.replace(/\/$/, '') + spec.path);
  const q = (spec.query ?? []).map(([k, v]) => (v === null ? k : `${k}=${v}`)).join('&');
  url.search = q === '' ? '' : `?${q}`;
  return url;
}

/** Explains 'credentials'/'unauthenticated' failures with which credential was used (never a secret). */
function withCredentialHint(error: StorageError, credentials: Credentials): StorageError {
  if (error.code !== 'credentials' && error.code !== 'unauthenticated' && error.code !== 'forbidden') {
    return error;
  }
  const hint =
    error.code === 'credentials'
      ? 'check the key id and secret, and that the local clock is right'
      : 'check that the credential is valid and has access';
  return new StorageErrorClass(error.code, `${error.message} (using ${credentials.description}: ${hint})`, {
    ...defined({
      status: error.status,
      serviceCode: error.serviceCode,
      requestId: error.requestId,
      bucket: error.bucket,
      object: error.object,
    }),
    cause: error,
  });
}

/** One attempt: authorize, send, and map a non-accepted status to a StorageError (body consumed). */
export async function exchangeOnce(ctx: ClientContext, spec: CallSpec): Promise<HttpResponse> {
  const url = requestUrl(ctx, spec);
  const headers: Record<string, string> = {
    'user-agent': ctx.userAgent,
    'accept-encoding': 'gzip',
    ...defined({ 'x-goog-user-project': ctx.userProject }),
    ...spec.headers,
  };
  const { body } = spec;
  // PUT/POST always state a length (GCS wants Content-Length: 0 on empty ones); GET/HEAD/DELETE none.
  if (body !== undefined || spec.method === 'PUT' || spec.method === 'POST') {
    headers['content-length'] = String(body?.length ?? 0);
  }
  await ctx.credentials.authorize({ method: spec.method, url, headers }, spec.signal);
  const res = await ctx.transport.send({
    method: spec.method,
    url,
    headers,
    ...defined({ body, signal: spec.signal }),
  });
  if ((res.status >= 200 && res.status < 300) || spec.accept?.includes(res.status) === true) return res;
  const text =
    spec.method === 'HEAD' ? (discard(res.body), undefined) : await readText(res.body, spec.signal);
  const error = storageErrorFromResponse(res.status, text, res.headers, {
    ...spec.errorContext,
    now: ctx.clock.now(),
  });
  throw withCredentialHint(error, ctx.credentials);
}

/** exchangeOnce under the retry policy for the spec's operation. */
export function call(ctx: ClientContext, spec: CallSpec): Promise<HttpResponse> {
  return withRetry(
    ctx,
    { idempotent: isIdempotent(spec.safety), signal: spec.signal, what: `${spec.method} ${spec.path}` },
    () => exchangeOnce(ctx, spec),
  );
}

/** call() and the whole body as text. Reading the body is part of the attempt, so a cut body retries. */
export function callText(ctx: ClientContext, spec: CallSpec): Promise<{ res: HttpResponse; text: string }> {
  return withRetry(
    ctx,
    { idempotent: isIdempotent(spec.safety), signal: spec.signal, what: `${spec.method} ${spec.path}` },
    async () => {
      const res = await exchangeOnce(ctx, spec);
      return { res, text: await readText(res.body, spec.signal) };
    },
  );
}

/** call() for answers whose body carries nothing we need. A HEAD's answer has no body (RFC 9110), so
 *  none is awaited: one stat per file of a cold `ls -l` skips reading an empty stream. */
export async function callEmpty(ctx: ClientContext, spec: CallSpec): Promise<HttpResponse> {
  if (spec.method === 'HEAD') {
    const res = await call(ctx, spec);
    discard(res.body);
    return res;
  }
  const { res } = await callText(ctx, spec);
  return res;
}
