// The emulator's HTTP front: accepts connections through the chunk-extension normalizer, offers each
// request to the side routes (token endpoint, fault admin), then fault injection, then authentication,
// then the XML API router; any ApiError becomes the service's XML error body (a bare status for HEAD).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { canonicalId } from './acl.js';
import { ApiError } from './errors.js';
import type { Authenticate, FaultInjector, SideRoute } from './hooks.js';
import { normalizeSocket } from './http/chunk-extension-normalizer.js';
import type { Ctx } from './http/context.js';
import { Headers } from './http/headers.js';
import { parseTarget } from './http/request-target.js';
import { route } from './router.js';
import type { Store } from './store/store.js';
import { UploadSessions } from './uploads/sessions.js';
import { document, el } from './xml/writer.js';

export interface EmulatorOptions {
  store: Store;
  project: string;
  host?: string;
  port?: number;
  clock?: Clock;
  logger?: Logger;
  authenticate?: Authenticate;
  faults?: FaultInjector;
  sideRoutes?: SideRoute[];
}

export interface RunningEmulator {
  /** http://HOST:PORT */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Without an authenticator every request passes; AWS-signed ones still get the S3 dialect (spec 10.1). */
const acceptAll: Authenticate = (request) => {
  const auth = request.headers.authorization ?? '';
  const s3 = auth.startsWith('AWS') || /(?:^|&)X-Amz-/i.test(request.rawQuery);
  const principal =
    /^(?:AWS4-HMAC-SHA256|GOOG4-HMAC-SHA256) Credential=([^/]+)/.exec(auth)?.[1] ??
    /^(?:AWS|GOOG1) ([^:]+):/.exec(auth)?.[1];
  return { ok: true, principal: principal ?? 'anonymous', dialect: s3 ? 's3' : 'goog' };
};

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const uploads = new UploadSessions();
  const authenticate = options.authenticate ?? acceptAll;
  const sideRoutes = options.sideRoutes ?? [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('Server', 'UploadServer');
    res.setHeader('X-GUploader-UploadID', `emu-${Math.random().toString(36).slice(2, 14)}`);
    const host = req.headers.host ?? '127.0.0.1';
    const url = new URL(req.url ?? '/', `http://${host}`);
    for (const side of sideRoutes) if (await side(req, res, url)) return;
    const target = parseTarget(req.url ?? '/', req.headers.host);
    const view = {
      method: req.method ?? 'GET',
      rawPath: target.rawPath,
      rawQuery: target.rawQuery,
      headers: req.headers,
    };
    if (options.faults && (await options.faults.apply(req, res, view)) === 'handled') return;
    const auth = await authenticate(view);
    if (!auth.ok) {
      const extra: Record<string, string> = {};
      if (auth.stringToSign !== undefined) extra.StringToSign = auth.stringToSign;
      if (auth.canonicalRequest !== undefined) extra.CanonicalRequest = auth.canonicalRequest;
      throw new ApiError(
        { status: auth.status, code: auth.code, message: auth.message },
        auth.details,
        extra,
      );
    }
    const ctx: Ctx = {
      store: options.store,
      uploads,
      clock,
      project: options.project,
      req,
      res,
      method: view.method,
      target,
      headers: new Headers(req.headers, auth.dialect),
      dialect: auth.dialect,
      caller: canonicalId('user', auth.principal),
      origin: `http://${host}`,
    };
    await route(ctx);
  };

  const server: Server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      sendError(req, res, err, logger);
    });
  });
  const listen = createServer();
  // Connections arrive on a bare listener and are handed to the HTTP server through the normalizer.
  listen.removeAllListeners('connection');
  listen.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    server.emit('connection', normalizeSocket(socket));
  });
  const sockets = new Set<Socket>();
  listen.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    listen.once('error', reject);
    listen.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      resolve();
    });
  });
  const address = listen.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close();
        listen.close(() => {
          resolve();
        });
      }),
  };
}

/** The client closed the connection first (a reader cancelling a GET it no longer needs): nothing to
 *  answer and no fault of the server's. */
function clientWentAway(res: ServerResponse, err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return res.destroyed && (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE');
}

function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, logger: Logger): void {
  if (clientWentAway(res, err)) {
    logger.debug('emulator: client closed the connection', { method: req.method, url: req.url });
    return;
  }
  const api =
    err instanceof ApiError
      ? err
      : (logger.error('emulator: internal error', { error: String(err), stack: (err as Error).stack }),
        new ApiError('InternalError'));
  if (res.headersSent) {
    // A failure mid-body can only be signalled by cutting the connection.
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames())
    if (name !== 'server' && name !== 'x-guploader-uploadid') res.removeHeader(name);
  res.statusCode = api.status;
  res.setHeader('Cache-Control', 'private, max-age=0');
  res.setHeader('Date', new Date().toUTCString());
  res.setHeader('Expires', new Date().toUTCString());
  // The request body may be unread (an early precondition failure): drain it so keep-alive survives.
  req.resume();
  if (req.method === 'HEAD' || api.status === 304) {
    res.end();
    return;
  }
  let body = el('Code', api.code) + el('Message', api.message);
  if (api.details !== undefined) body += el('Details', api.details);
  for (const [k, v] of Object.entries(api.extra)) body += el(k, v);
  const text = document('Error', body);
  res.setHeader('Content-Type', 'application/xml; charset=UTF-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
