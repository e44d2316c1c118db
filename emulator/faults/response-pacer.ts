// Response-side body faults: throttle to a byte rate, stall once after N bytes, or cut the connection after
// N bytes. It replaces `res.write`/`res.end` with a queue drained by one pump that honours the socket's
// backpressure and reports its own (write returns false, 'drain' follows), so handlers that pipe into `res`
// behave as over a slow or failing network. It does not decide which requests get this (injector.ts does).

import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Clock } from '../../common/clock.js';

export interface ResponsePlan {
  bytesPerSecond?: number;
  stall?: { afterBytes: number; ms: number };
  /** Destroy the connection once this many body bytes are out (0: before anything, headers included). */
  resetAfter?: number;
}

type Callback = (err?: Error | null) => void;
type Item = { chunk: Buffer; cb: Callback | undefined } | { end: true; cb: (() => void) | undefined };

/** Throttling granularity: about 20 writes a second, in pieces of at most 64 KiB. */
function sliceSize(bytesPerSecond: number): number {
  return Math.max(1, Math.min(64 * 1024, Math.floor(bytesPerSecond / 20)));
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

export function paceResponse(res: ServerResponse, plan: ResponsePlan, clock: Clock): void {
  const origWrite = res.write.bind(res) as (chunk: Buffer, cb?: Callback) => boolean;
  const origEnd = res.end.bind(res) as (cb?: () => void) => ServerResponse;
  const queue: Item[] = [];
  let pumping = false;
  let sent = 0;
  let stalled = false;
  let firstByteAt: number | undefined;
  let lastFlush: Promise<void> = Promise.resolve();

  const alive = (): boolean => !res.destroyed;

  const write = (piece: Buffer): boolean => {
    let ok = false;
    lastFlush = new Promise<void>((resolve) => {
      ok = origWrite(piece, () => {
        resolve();
      });
    });
    firstByteAt ??= clock.now();
    sent += piece.length;
    return ok;
  };

  const cut = async (): Promise<void> => {
    await lastFlush;
    queue.length = 0;
    res.destroy();
  };

  const waitDrain = async (): Promise<void> => {
    const ac = new AbortController();
    await Promise.race([
      once(res, 'drain', { signal: ac.signal }),
      once(res, 'close', { signal: ac.signal }),
    ]).catch(() => undefined);
    ac.abort();
  };

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      if (res.destroyed) break;
      if ('end' in item) {
        if (plan.resetAfter !== undefined && sent >= plan.resetAfter) return cut();
        origEnd(item.cb);
        continue;
      }
      let data = item.chunk;
      while (data.length > 0 && alive()) {
        let limit = data.length;
        if (plan.resetAfter !== undefined) {
          if (sent >= plan.resetAfter) return cut();
          limit = Math.min(limit, plan.resetAfter - sent);
        }
        if (plan.stall && !stalled) {
          if (sent >= plan.stall.afterBytes) {
            stalled = true;
            await clock.sleep(plan.stall.ms);
          } else limit = Math.min(limit, plan.stall.afterBytes - sent);
        }
        if (plan.bytesPerSecond !== undefined) limit = Math.min(limit, sliceSize(plan.bytesPerSecond));
        const ok = write(data.subarray(0, limit));
        data = data.subarray(limit);
        if (!ok) await waitDrain();
        if (plan.bytesPerSecond !== undefined && firstByteAt !== undefined) {
          const wait = firstByteAt + (sent / plan.bytesPerSecond) * 1000 - clock.now();
          if (wait > 0) await clock.sleep(wait);
        }
      }
      item.cb?.();
    }
    pumping = false;
    // Never synchronously: a writer told `false` attaches its 'drain' listener only after write() returns.
    process.nextTick(() => {
      if (!pumping && queue.length === 0 && alive()) res.emit('drain');
    });
  };

  const start = (): void => {
    pump().catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  };

  res.write = ((chunk: unknown, encodingOrCb?: unknown, cb?: unknown): boolean => {
    const callback = (typeof encodingOrCb === 'function' ? encodingOrCb : cb) as Callback | undefined;
    queue.push({ chunk: toBuffer(chunk, encodingOrCb), cb: callback });
    start();
    return false;
  }) as typeof res.write;

  res.end = ((chunk?: unknown, encodingOrCb?: unknown, cb?: unknown): ServerResponse => {
    const callback = [chunk, encodingOrCb, cb].find((a) => typeof a === 'function') as
      (() => void) | undefined;
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      queue.push({ chunk: toBuffer(chunk, encodingOrCb), cb: undefined });
    }
    queue.push({ end: true, cb: callback });
    start();
    return res;
  }) as typeof res.end;
}
