// HTTP plumbing shared by the OAuth side routes (token endpoint, metadata server): bounded body reading,
// form/JSON parameter parsing, HTTP Basic client credentials, and JSON replies with Google's no-cache
// headers. No OAuth decisions are made here.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** Token requests are a few KiB at most (a JWT assertion); anything larger is refused unread. */
export const MAX_FORM_BYTES = 64 * 1024;

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage, limit = MAX_FORM_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyTooLarge(`request body over ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Form fields of an `application/x-www-form-urlencoded` or JSON body (Google accepts both). */
export function parseParams(body: Buffer, contentType: string | undefined): Map<string, string> {
  const text = body.toString('utf8');
  const params = new Map<string, string>();
  if ((contentType ?? '').toLowerCase().includes('json')) {
    try {
      const json = JSON.parse(text) as unknown;
      if (typeof json === 'object' && json !== null) {
        for (const [k, v] of Object.entries(json)) if (typeof v === 'string') params.set(k, v);
      }
    } catch {
      // An unparsable body has no parameters; the caller reports what is missing.
    }
    return params;
  }
  for (const [k, v] of new URLSearchParams(text)) if (!params.has(k)) params.set(k, v);
  return params;
}

/** `Authorization: Basic` client credentials (RFC 6749 §2.3.1: both halves form-url-encoded). */
export function basicCredentials(
  authorization: string | undefined,
): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
    Pragma: 'no-cache',
    ...headers,
  });
  res.end(text);
}
