// boto's streaming uploads send chunk-size lines with an empty extension (`2000;`). The real service takes
// them; Node's HTTP parser rejects them with 400 even with insecureHTTPParser. This stream sits between the
// socket and the HTTP server and rewrites only chunk-size lines (drops any extension), tracking request
// framing (headers, Content-Length bodies, chunked bodies, trailers) so body bytes pass through untouched.

import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

type State =
  | { kind: 'head' }
  | { kind: 'body'; left: number }
  | { kind: 'size' }
  | { kind: 'data'; left: number }
  | { kind: 'trailer' };

const CRLF = Buffer.from('\r\n');
const MAX_LINE = 64 * 1024;

export class ChunkExtensionNormalizer {
  #state: State = { kind: 'head' };
  #pending: Buffer = Buffer.alloc(0);

  /** Transforms one slice of the inbound byte stream. */
  push(input: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, input]) : input;
    this.#pending = Buffer.alloc(0);
    while (buf.length > 0) {
      const s = this.#state;
      if (s.kind === 'body' || s.kind === 'data') {
        const n = Math.min(s.left, buf.length);
        out.push(buf.subarray(0, n));
        buf = buf.subarray(n);
        s.left -= n;
        if (s.left === 0) this.#state = s.kind === 'body' ? { kind: 'head' } : { kind: 'size' };
        continue;
      }
      if (s.kind === 'head') {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return this.#hold(buf, out);
        const head = buf.subarray(0, end + 4);
        out.push(head);
        buf = buf.subarray(end + 4);
        this.#state = framing(head.toString('latin1'));
        continue;
      }
      const eol = buf.indexOf(CRLF);
      if (eol < 0) return this.#hold(buf, out);
      const line = buf.subarray(0, eol).toString('latin1');
      buf = buf.subarray(eol + 2);
      if (s.kind === 'trailer') {
        out.push(Buffer.from(`${line}\r\n`, 'latin1'));
        if (line === '') this.#state = { kind: 'head' };
        continue;
      }
      const sizeText = line.split(';')[0]?.trim() ?? '';
      const size = parseInt(sizeText, 16);
      out.push(Buffer.from(`${sizeText}\r\n`, 'latin1'));
      // Let the HTTP parser reject garbage itself; just stop interpreting framing.
      if (Number.isNaN(size)) this.#state = { kind: 'body', left: Infinity };
      else this.#state = size === 0 ? { kind: 'trailer' } : { kind: 'data', left: size + 2 };
    }
    return out;
  }

  #hold(buf: Buffer, out: Buffer[]): Buffer[] {
    if (buf.length > MAX_LINE) {
      // Not HTTP we understand: pass it on and let the parser answer 400.
      out.push(buf);
      this.#state = { kind: 'body', left: Infinity };
    } else this.#pending = Buffer.from(buf);
    return out;
  }
}

function framing(head: string): State {
  const te = /\r\ntransfer-encoding:[^\r]*chunked/i.test(head);
  if (te) return { kind: 'size' };
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const n = cl?.[1] === undefined ? 0 : Number(cl[1]);
  return n > 0 ? { kind: 'body', left: n } : { kind: 'head' };
}

/** Wraps a socket: reads are normalized, writes and socket controls go straight through. */
export function normalizeSocket(socket: Socket): Duplex {
  const normalizer = new ChunkExtensionNormalizer();
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, done) {
      if (socket.destroyed) {
        done();
        return;
      }
      // Hand back at once unless the socket is full, so writes pipeline instead of waiting per chunk.
      if (socket.write(chunk)) done();
      else socket.once('drain', () => done());
    },
    final(done) {
      socket.end(done);
    },
    destroy(err, done) {
      socket.destroy(err ?? undefined);
      done(err);
    },
  });
  socket.on('data', (data: Buffer) => {
    for (const piece of normalizer.push(data)) {
      if (!duplex.push(piece)) socket.pause();
    }
  });
  socket.on('end', () => duplex.push(null));
  socket.on('error', (err) => duplex.destroy(err));
  socket.on('close', () => {
    if (!duplex.destroyed) duplex.destroy();
  });
  // The HTTP server calls these socket methods; forward them.
  const d = duplex as Duplex & Record<string, unknown>;
  d.setTimeout = (ms: number, cb?: () => void) => {
    socket.setTimeout(ms, cb);
    return duplex;
  };
  d.setNoDelay = (v?: boolean) => {
    socket.setNoDelay(v);
    return duplex;
  };
  d.setKeepAlive = (v?: boolean, delay?: number) => {
    socket.setKeepAlive(v, delay);
    return duplex;
  };
  d.destroySoon = () => {
    duplex.end();
  };
  socket.on('timeout', () => duplex.emit('timeout'));
  Object.defineProperty(d, 'remoteAddress', { get: () => socket.remoteAddress });
  Object.defineProperty(d, 'remotePort', { get: () => socket.remotePort });
  Object.defineProperty(d, 'localAddress', { get: () => socket.localAddress });
  Object.defineProperty(d, 'localPort', { get: () => socket.localPort });
  Object.defineProperty(d, 'encrypted', { get: () => false });
  return duplex;
}
