// Small response helpers shared by the handlers; the XML error path lives in the server.

import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors.js';
import type { Ctx } from './context.js';

export function sendXml(ctx: Ctx, status: number, body: string): void {
  ctx.res.statusCode = status;
  ctx.res.setHeader('Content-Type', 'application/xml; charset=UTF-8');
  ctx.res.setHeader('Content-Length', Buffer.byteLength(body));
  ctx.res.end(ctx.method === 'HEAD' ? undefined : body);
}

export function sendEmpty(ctx: Ctx, status: number): void {
  ctx.res.statusCode = status;
  if (status !== 204 && status !== 304) ctx.res.setHeader('Content-Length', 0);
  ctx.res.end();
}

/** Reads a small request body (XML documents) as text, refusing anything absurdly large. */
export async function readText(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError('InvalidArgument', 'Request body too large for this operation.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Drains and discards a body the operation does not use, so keep-alive connections stay in sync. */
export async function discardBody(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req as AsyncIterable<Buffer>) {
    /* discard */
  }
}
