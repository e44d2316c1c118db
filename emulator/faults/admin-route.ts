// `/_emulator/faults`: read (GET), replace (PUT/POST, JSON or --faults text) and clear (DELETE) the fault
// rules of a running emulator, so a test can arm "the next 2 PUTs get 503" just before the step it checks.
// The server serves side routes before the injector, so this route is never itself faulted.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SideRoute } from '../hooks.js';
import { parseFaultSpec } from './fault-spec.js';
import type { ControllableFaultInjector } from './injector.js';

export const FAULT_ADMIN_PATH = '/_emulator/faults';
const MAX_SPEC_BYTES = 256 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_SPEC_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function faultAdminRoute(injector: ControllableFaultInjector, path = FAULT_ADMIN_PATH): SideRoute {
  return async (req, res, url) => {
    if (url.pathname !== path) return false;
    switch (req.method ?? '') {
      case 'GET':
        sendJson(res, 200, injector.state());
        return true;
      case 'DELETE':
        injector.clear();
        sendJson(res, 200, injector.state());
        return true;
      case 'PUT':
      case 'POST': {
        const text = await readText(req);
        if (text === undefined) {
          sendJson(res, 413, { error: `fault spec over ${MAX_SPEC_BYTES} bytes` });
          return true;
        }
        if (text.trim() === '') {
          sendJson(res, 400, { error: 'faults: empty spec (use DELETE to clear)' });
          return true;
        }
        try {
          injector.set(parseFaultSpec(text));
        } catch (err) {
          sendJson(res, 400, { error: (err as Error).message });
          return true;
        }
        sendJson(res, 200, injector.state());
        return true;
      }
      default:
        res.writeHead(405, { Allow: 'GET, PUT, POST, DELETE' }).end();
        return true;
    }
  };
}
