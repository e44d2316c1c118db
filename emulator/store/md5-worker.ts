// MD5 off the event loop: one long-lived worker thread hashes every upload's bytes, so a 1 GiB PUT no
// longer stalls the emulator's other requests (and its own socket reads) behind OpenSSL. MD5 is inherently
// sequential, so one worker per upload would buy nothing a single one does not, and a pool would only
// reorder waiting. Bytes reach the worker through a few fixed slots of one SharedArrayBuffer: a batch is
// copied into a free slot, the worker hashes it there and hands the slot back. The slots are touched once
// and reused, where a fresh buffer transferred per batch cost a page fault per 4 KiB and a garbage
// collection per 64 MiB (a fifth of the emulator's CPU during a 1 GiB upload); and the uploaded chunks
// stay the stored blob's parts (memory-blobs.ts), so they could not be handed over anyway. A job waits
// for a slot when all are in flight: memory stays bounded when the worker lags.
// The worker's source is inline (CommonJS, eval) so the same code runs from the build and under tsx.

import { Worker } from 'node:worker_threads';

/** Bytes per slot, and slots: at most 16 MiB waits to be hashed, over all uploads. */
export const SLOT = 1024 * 1024;
const SLOTS = 16;

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
let shared;
parentPort.on('message', (m) => {
  if (m.op === 'init') {
    shared = m.shared;
  } else if (m.op === 'update') {
    let h = jobs.get(m.id);
    if (!h) { h = createHash('md5'); jobs.set(m.id, h); }
    h.update(new Uint8Array(shared, m.slot * ${SLOT}, m.length));
    parentPort.postMessage({ op: 'ack', slot: m.slot });
  } else if (m.op === 'digest') {
    const h = jobs.get(m.id) || createHash('md5');
    jobs.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, value: h.digest('base64') });
  } else if (m.op === 'drop') {
    jobs.delete(m.id);
  }
});
`;

type Reply = { op: 'ack'; slot: number } | { op: 'digest'; id: number; value: string };

interface Hasher {
  worker: Worker;
  shared: Uint8Array;
  free: number[];
  /** Jobs waiting for a free slot, first come first served. */
  waiting: (() => void)[];
  /** Digests asked for and not answered. */
  digests: Map<number, (value: string) => void>;
}

let hasher: Hasher | undefined;
let nextId = 1;

/** The worker keeps the process alive only while it has work: a slot in flight or a digest awaited (a
 *  resumable session may sit idle between chunks for as long as its client likes). */
function refWhileBusy(h: Hasher): void {
  if (h.free.length < SLOTS || h.digests.size > 0) h.worker.ref();
  else h.worker.unref();
}

function theHasher(): Hasher {
  if (hasher) return hasher;
  const shared = new SharedArrayBuffer(SLOT * SLOTS);
  const h: Hasher = {
    worker: new Worker(SOURCE, { eval: true }),
    shared: new Uint8Array(shared),
    free: Array.from({ length: SLOTS }, (_, i) => SLOTS - 1 - i),
    waiting: [],
    digests: new Map(),
  };
  h.worker.postMessage({ op: 'init', shared });
  h.worker.on('message', (m: Reply) => {
    if (m.op === 'ack') {
      h.free.push(m.slot);
      h.waiting.shift()?.();
    } else {
      const done = h.digests.get(m.id);
      h.digests.delete(m.id);
      done?.(m.value);
    }
    refWhileBusy(h);
  });
  h.worker.on('error', () => {
    // The next job starts a fresh worker and slots; jobs in flight never finish (their uploads fail).
    if (hasher === h) hasher = undefined;
  });
  h.worker.unref();
  hasher = h;
  return h;
}

/** The MD5 of one stream of bytes, computed in the worker. */
export class Md5Job {
  readonly #id = nextId++;
  readonly #h = theHasher();
  /** Hand-overs run one after another: the worker must see the bytes in order. */
  #chain: Promise<void> = Promise.resolve();

  /** Hands the bytes to the worker (copied into its slots, after those handed over before); resolves
   *  once all are handed over, which waits while every slot is in flight. The caller may then reuse
   *  the buffers. */
  update(parts: readonly Uint8Array[]): Promise<void> {
    const done = this.#chain.then(() => this.#update(parts));
    this.#chain = done.catch(() => undefined);
    return done;
  }

  async #update(parts: readonly Uint8Array[]): Promise<void> {
    const h = this.#h;
    let slot: number | undefined;
    let filled = 0;
    const send = (): void => {
      if (slot === undefined || filled === 0) return;
      h.worker.postMessage({ op: 'update', id: this.#id, slot, length: filled });
      slot = undefined;
      filled = 0;
    };
    for (const part of parts) {
      for (let at = 0; at < part.length;) {
        if (slot === undefined) slot = await this.#slot();
        const n = Math.min(part.length - at, SLOT - filled);
        h.shared.set(part.subarray(at, at + n), slot * SLOT + filled);
        filled += n;
        at += n;
        if (filled === SLOT) send();
      }
    }
    send();
  }

  /** Forgets an unfinished job (the upload failed): the worker drops its state. */
  drop(): void {
    // After the hand-overs under way, or a late one would make the worker start the job again.
    void this.#chain.then(() => this.#h.worker.postMessage({ op: 'drop', id: this.#id }));
  }

  /** Base64 MD5 of everything handed over; call once, at the end. */
  async digest(): Promise<string> {
    const h = this.#h;
    await this.#chain;
    return new Promise((resolve) => {
      h.digests.set(this.#id, resolve);
      h.worker.ref(); // a pending digest must keep the process alive
      h.worker.postMessage({ op: 'digest', id: this.#id });
    });
  }

  async #slot(): Promise<number> {
    const h = this.#h;
    for (;;) {
      const free = h.free.pop();
      if (free !== undefined) {
        h.worker.ref(); // bytes in the worker must be hashed before the process may exit
        return free;
      }
      await new Promise<void>((resolve) => h.waiting.push(resolve));
    }
  }
}
