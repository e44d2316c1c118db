// One HTTP exchange over an undici Agent (keep-alive Pool per origin; connect, header and body-stall
// timeouts; streamed bodies) with transport failures as StorageError. No retries, auth or status logic.
// undici's request() never decompresses and the client sends `accept-encoding: gzip`, so GCS serves bytes
// as stored (no transcoding): ranges, sizes and x-goog-hash then describe the same bytes.

import type { Readable } from 'node:stream';
import { Agent, errors } from 'undici';
import { StorageError } from '../errors.js';
import type { ResponseHeaders } from './headers.js';

export interface HttpTimeouts {
  /** TCP/TLS connect. */
  connectMs: number;
  /** Longest silence while waiting for headers or between body chunks (a stalled peer). */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = { connectMs: 10_000, idleMs: 60_000 };

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  /** Must be consumed or destroyed, or the connection is not reused. */
  body: Readable;
}

export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

const LOCAL_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_URL',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  const code = e.code;
  return typeof code === 'string' ? code : undefined;
}

/** Any failure of a transfer (request or response body) as a StorageError. A refused connection is
 *  marked so the retry policy knows the request never reached the server. */
export function transportError(e: unknown, signal?: AbortSignal): StorageError {
  if (e instanceof StorageError) return e;
  if (signal?.aborted === true) return new StorageError('aborted', 'request aborted', { cause: e });
  const code = errorCode(e) ?? errorCode((e as { cause?: unknown } | null)?.cause);
  const message = e instanceof Error ? e.message : String(e);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new StorageError('timeout', `${code}: ${message}`, { cause: e });
  }
  if (e instanceof errors.RequestAbortedError || (e instanceof Error && e.name === 'AbortError')) {
    return new StorageError('aborted', 'request aborted', { cause: e });
  }
  // undici refusing the request itself (a bad header value, say) would fail the same way again.
  if (code !== undefined && LOCAL_CODES.has(code)) {
    return new StorageError('invalid-argument', `${code}: ${message}`, { cause: e });
  }
  return new StorageError('network', code === undefined ? message : `${code}: ${message}`, { cause: e });
}

/** Whether a transport error proves the request never left (safe to retry whatever it was). */
export function neverSent(e: StorageError): boolean {
  return e.code === 'network' && errorCode(e.cause) === 'ECONNREFUSED';
}

/** Parallel requests (readers, upload parts) to one origin each get a connection of their own, up to this. */
export const DEFAULT_MAX_CONNECTIONS = 32;

/** `maxConnections` 0 means no limit (gcsfuse's --max-conns-per-host 0). */
export function createHttpTransport(
  timeouts: HttpTimeouts = DEFAULT_TIMEOUTS,
  maxConnections = DEFAULT_MAX_CONNECTIONS,
): HttpTransport {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.idleMs,
    bodyTimeout: timeouts.idleMs,
    connections: maxConnections === 0 ? null : maxConnections,
  });
  return {
    async send(request) {
      const { url } = request;
      try {
        const res = await agent.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          signal: request.signal ?? null,
          // undici closes the connection after every HEAD (for servers that send a body with one) unless
          // told not to: a new TCP connection per stat made `ls -l` of 1,000 files connect 1,000 times.
          reset: false,
        });
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (e) {
        throw transportError(e, request.signal);
      }
    },
    close: () => agent.close(),
  };
}

/** Reads a (small) body as text, mapping transport failures. */
export async function readText(body: Readable, signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer);
  } catch (e) {
    throw transportError(e, signal);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Abandons a body mid-way (closing its connection): undici reports the destroy as an error event
 *  (RequestAbortedError), which must find a listener. */
export function abandon(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Drops a body we do not need, without waiting for it. */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.resume();
}
