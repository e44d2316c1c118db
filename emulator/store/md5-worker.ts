// MD5 off the event loop: one long-lived worker thread hashes every upload's bytes, so a 1 GiB PUT no
// longer stalls the emulator's other requests (and its own socket reads) behind OpenSSL. MD5 is inherently
// sequential, so one worker per upload would buy nothing a single one does not, and a pool would only
// reorder waiting. Batches are transferred to the worker (not cloned: cloning many small chunks cost half
// as much as hashing them) and acknowledged;
// a job waits when too many of its bytes are still unhashed, so memory stays bounded when the worker lags.
// The worker's source is inline (CommonJS, eval) so the same code runs from the build and under tsx.

import { Worker } from 'node:worker_threads';

/** Unhashed bytes one upload may have queued before its stream waits (backpressure to the socket). */
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'update') {
    let h = jobs.get(m.id);
    if (!h) { h = createHash('md5'); jobs.set(m.id, h); }
    h.update(m.data);
    parentPort.postMessage({ op: 'ack', id: m.id, bytes: m.data.length });
  } else if (m.op === 'digest') {
    const h = jobs.get(m.id) || createHash('md5');
    jobs.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, value: h.digest('base64') });
  } else if (m.op === 'drop') {
    jobs.delete(m.id);
  }
});
`;

type Reply = { op: 'ack'; id: number; bytes: number } | { op: 'digest'; id: number; value: string };

interface JobState {
  queued: number;
  wake: (() => void) | undefined;
  digest: ((value: string) => void) | undefined;
}

let worker: Worker | undefined;
let nextId = 1;
const jobs = new Map<number, JobState>();

/** The worker keeps the process alive only while it has work: bytes unhashed or a digest awaited (a
 *  resumable session may sit idle between chunks for as long as its client likes). */
function refWhileBusy(w: Worker): void {
  const busy = [...jobs.values()].some((j) => j.queued > 0 || j.digest !== undefined);
  if (busy) w.ref();
  else w.unref();
}

function theWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(SOURCE, { eval: true });
  w.on('message', (m: Reply) => {
    const job = jobs.get(m.id);
    if (!job) return;
    if (m.op === 'ack') {
      job.queued -= m.bytes;
      if (job.queued < MAX_QUEUED_BYTES) {
        const wake = job.wake;
        job.wake = undefined;
        wake?.();
      }
      if (job.queued === 0) refWhileBusy(w);
    } else {
      jobs.delete(m.id);
      job.digest?.(m.value);
      refWhileBusy(w);
    }
  });
  w.on('error', () => {
    worker = undefined; // the next job starts a fresh one; jobs in flight never finish (their uploads fail)
  });
  w.unref();
  worker = w;
  return w;
}

/** The MD5 of one stream of bytes, computed in the worker. */
export class Md5Job {
  readonly #id = nextId++;
  readonly #state: JobState = { queued: 0, wake: undefined, digest: undefined };
  readonly #worker = theWorker();

  constructor() {
    jobs.set(this.#id, this.#state);
  }

  /** Queues bytes, handing `chunk`'s memory to the worker (the caller must own its whole ArrayBuffer and
   *  not touch it again); resolves at once unless too many bytes are still waiting to be hashed. */
  update(chunk: Uint8Array): Promise<void> {
    this.#state.queued += chunk.length;
    this.#worker.ref(); // bytes in the worker must be hashed before the process may exit
    this.#worker.postMessage({ op: 'update', id: this.#id, data: chunk }, [chunk.buffer as ArrayBuffer]);
    if (this.#state.queued < MAX_QUEUED_BYTES) return Promise.resolve();
    return new Promise((resolve) => {
      this.#state.wake = resolve;
    });
  }

  /** Forgets an unfinished job (the upload failed): its bytes are dropped, the process may exit. */
  drop(): void {
    if (!jobs.delete(this.#id)) return;
    this.#worker.postMessage({ op: 'drop', id: this.#id });
    this.#state.wake?.();
    refWhileBusy(this.#worker);
  }

  /** Base64 MD5 of everything queued; call once, at the end. */
  digest(): Promise<string> {
    return new Promise((resolve) => {
      this.#state.digest = resolve;
      this.#worker.ref(); // a pending digest must keep the process alive
      this.#worker.postMessage({ op: 'digest', id: this.#id });
    });
  }
}
