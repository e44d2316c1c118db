// Test helper: a real node:http server on 127.0.0.1:0 with the fault admin route, the injector, then a
// trivial handler: GET/HEAD answer `size` bytes (query ?size=, default 10) piped in `chunk`-byte pieces (default 16 KiB); PUT/POST
// count the request body and answer the count. Stats record what handlers completed or saw fail.

import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { faultAdminRoute } from '../../../emulator/faults/admin-route.js';
import type { ControllableFaultInjector } from '../../../emulator/faults/injector.js';

export interface FaultServer {
  base: string;
  port: number;
  stats: { completedWrites: number; failedWrites: number; reads: number };
  close(): Promise<void>;
}

export async function serveWithFaults(injector: ControllableFaultInjector): Promise<FaultServer> {
  const stats = { completedWrites: 0, failedWrites: 0, reads: 0 };
  const admin = faultAdminRoute(injector);
  const server = createServer((req, res) => {
    void (async () => {
      const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (await admin(req, res, url)) return;
      const view = { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers };
      if ((await injector.apply(req, res, view)) === 'handled') return;
      if (req.method === 'PUT' || req.method === 'POST') {
        let n = 0;
        try {
          for await (const chunk of req) n += (chunk as Buffer).length;
        } catch {
          stats.failedWrites++;
          return;
        }
        stats.completedWrites++;
        res.end(String(n));
        return;
      }
      stats.reads++;
      const size = Number(url.searchParams.get('size') ?? '10');
      const piece = Number(url.searchParams.get('chunk') ?? '16384');
      res.writeHead(200, { 'Content-Length': String(size) });
      if (req.method === 'HEAD') return void res.end();
      const chunks = function* () {
        for (let left = size; left > 0; left -= piece) yield Buffer.alloc(Math.min(piece, left), 0x61);
      };
      await pipeline(Readable.from(chunks()), res).catch(() => undefined);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export interface RawResult {
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Set when the connection failed before a complete response. */
  error: string | undefined;
}

/** One request on a fresh connection, reporting partial bodies and connection errors instead of throwing. */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: Buffer,
  onData?: (received: number) => void,
): Promise<RawResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let status: number | undefined;
    let headers: RawResult['headers'] = {};
    let done = false;
    const finish = (error: string | undefined): void => {
      if (done) return;
      done = true;
      resolve({ status, headers, body: Buffer.concat(chunks), error });
    };
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      status = res.statusCode;
      headers = res.headers;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        onData?.(chunks.reduce((n, b) => n + b.length, 0));
      });
      res.on('end', () => {
        finish(undefined);
      });
      res.on('error', (e) => {
        finish(e.message);
      });
      res.on('aborted', () => {
        finish('aborted');
      });
    });
    req.on('error', (e) => {
      finish(e.message);
    });
    if (body) req.end(body);
    else req.end();
  });
}
