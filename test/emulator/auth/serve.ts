// Test helper: a real node:http server on 127.0.0.1, port 0, offering requests to side routes in order and
// answering 404 when none claims them (as the emulator's XML API would for unknown paths).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SideRoute } from '../../../emulator/hooks.js';

export interface TestServer {
  base: string;
  close(): Promise<void>;
}

export async function serveRoutes(routes: SideRoute[]): Promise<TestServer> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
        for (const route of routes) if (await route(req, res, url)) return;
        res.writeHead(404).end('no route');
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
