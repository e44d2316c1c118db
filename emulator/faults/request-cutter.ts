// Request-side reset: the connection dies once more than N request-body bytes have arrived, as when a
// client's upload is cut by the network. Node's HTTP parser hands body bytes to `req.push`, so counting there
// sees exactly what the handler will read, whichever way it reads. Deciding who gets cut is injector.ts's.

import type { IncomingMessage } from 'node:http';

export function cutRequestAfter(req: IncomingMessage, afterBytes: number): void {
  let seen = 0;
  const origPush = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk === null || seen > afterBytes) return origPush(chunk, encoding);
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding);
    if (seen + buf.length <= afterBytes) {
      seen += buf.length;
      return origPush(buf);
    }
    const allowed = buf.subarray(0, afterBytes - seen);
    seen = afterBytes + 1;
    if (allowed.length > 0) origPush(allowed);
    req.socket.destroy();
    return false;
  };
}
