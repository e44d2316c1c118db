// One run of a prefetcher: a single streamed ranged GET over [start, end) of one generation, with the bytes
// kept in arrival order until the reader has consumed them. A read waits only until its own range has
// arrived (not for a whole block), so bytes reach the kernel as they come. Flow control is the stream's:
// the body flows only while the bytes ahead of the reader fit the window (or a read is waiting for them)
// and is paused otherwise, so TCP backpressure stops the server instead of memory filling up. The body is
// consumed with 'data' events, not async iteration (a microtask per chunk showed in CPU profiles), and the
// bytes are kept as they arrived (chunk-list.ts): a read copies its range out once.
// Bytes held are reserved in the global ByteBudget (shared with the memory cache, which it evicts). Bytes a
// waiting read needs are never held back for the budget, so a reader cannot deadlock behind idle handles;
// only the speculative part of the window waits for room.
// It does not decide when to start or stop a run (reader.ts does) and does not cache (it reports bytes to
// `onBytes`, see block-assembler.ts).

import type { Readable } from 'node:stream';
import type { ByteBudget } from '../../cache/budget.js';
import type { StorageBackend } from '../../storage/backend.js';
import { StorageError } from '../../storage/errors.js';
import { ChunkList } from './chunk-list.js';
import type { ReadTarget } from './read-target.js';
import { BACKWARD_KEEP, windowAfter, type WindowLimits } from './window.js';

export interface PrefetchRunOptions {
  backend: StorageBackend;
  target: ReadTarget;
  /** Absolute byte range, end exclusive (at most the object's size). */
  start: number;
  end: number;
  limits: WindowLimits;
  /** The current cap of the window (it shrinks while many handles read; default `limits.max`). */
  maxWindow?: (() => number) | undefined;
  budget?: ByteBudget | undefined;
  /** Called with every chunk in order, as it arrives (to fill the content cache). */
  onBytes?: ((offset: number, data: Buffer) => void) | undefined;
  /** Called once when the run stops holding a GET open (ended, failed or cancelled). */
  onDone?: (() => void) | undefined;
}

interface Waiter {
  end: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const ignore = (): void => undefined;

export class PrefetchRun {
  readonly start: number;
  readonly end: number;
  readonly #o: PrefetchRunOptions;
  readonly #abort = new AbortController();
  readonly #chunks: ChunkList;
  /** One past the furthest byte any read was served. */
  #consumed: number;
  #waiters: Waiter[] = [];
  #reading = 0;
  #retired = false;
  #error: unknown;
  #body: Readable | undefined;
  /** A chunk that arrived while the budget was full and no read needed it: the body is paused meanwhile. */
  #pending = false;
  /** Aborted when a read needs the bytes a pending reservation waits for. */
  #demand: AbortController | undefined;
  #done = false;

  constructor(options: PrefetchRunOptions) {
    this.#o = options;
    this.start = options.start;
    this.end = options.end;
    this.#chunks = new ChunkList(options.start);
    this.#consumed = options.start;
    void this.#open();
  }

  /** Bytes received and not yet dropped (tests, metrics). */
  get held(): number {
    return this.#chunks.bytes;
  }

  get window(): number {
    const cap = this.#o.maxWindow?.() ?? this.#o.limits.max;
    const limits = { initial: Math.min(this.#o.limits.initial, cap), max: cap };
    return windowAfter(this.#consumed - this.start, limits);
  }

  /** One past the last byte received. */
  get #received(): number {
    return this.#chunks.end;
  }

  /** Whether a read at `offset` belongs to this run: inside its range, not yet dropped, and no further
   *  ahead than one window past what has arrived (a short forward skip waits; a long one is a seek). */
  covers(offset: number): boolean {
    if (this.#error !== undefined || this.#abort.signal.aborted) return false;
    return offset >= this.#chunks.start && offset < this.end && offset <= this.#received + this.window;
  }

  /** Copies [offset, offset + length) clipped to the run into `into` once it has arrived. */
  async read(into: Buffer, length: number, offset: number): Promise<number> {
    const end = Math.min(this.end, offset + length);
    if (this.#received >= end) return this.#copyOut(into, offset, end);
    this.#reading++;
    try {
      await this.#until(end);
      return this.#copyOut(into, offset, end);
    } finally {
      this.#reading--;
      if (this.#retired && this.#reading === 0) this.cancel();
    }
  }

  /** No new reads will come here (the reader seeked away): stop once the reads in progress are served. */
  retire(): void {
    this.#retired = true;
    if (this.#reading === 0) this.cancel();
  }

  /** Stops the GET now and frees every byte held (release of the handle). */
  cancel(): void {
    if (!this.#abort.signal.aborted) this.#abort.abort();
    this.#demand?.abort();
    this.#closeBody();
    this.#fail(new StorageError('aborted', 'read-ahead cancelled'));
    this.#release(this.#chunks.clear());
  }

  #copyOut(into: Buffer, offset: number, end: number): number {
    const copied = this.#chunks.copy(into, offset, end);
    this.#consumed = Math.max(this.#consumed, end);
    this.#trim();
    this.#flow();
    return copied;
  }

  #until(end: number): Promise<void> {
    if (this.#received >= end) return Promise.resolve();
    if (this.#error !== undefined) return Promise.reject(asError(this.#error));
    return new Promise((resolve, reject) => {
      this.#waiters.push({ end, resolve, reject });
      this.#demand?.abort();
      this.#flow();
    });
  }

  /** Read through a method: the compiler would otherwise assume no await could change it. */
  #cancelled(): boolean {
    return this.#abort.signal.aborted;
  }

  /** A read is waiting for bytes not yet received. */
  #demanded(): boolean {
    return this.#waiters.some((w) => w.end > this.#received);
  }

  async #open(): Promise<void> {
    const { backend, target } = this.#o;
    try {
      const { body } = await backend.readObject(target.bucket, target.key, {
        range: { start: this.start, end: this.end - 1 },
        generation: target.generation,
        signal: this.#abort.signal,
      });
      if (this.#cancelled()) {
        body.on('error', ignore);
        body.destroy();
        return;
      }
      this.#body = body;
      body.on('data', (chunk: Buffer) => {
        this.#onData(chunk);
      });
      body.on('end', () => {
        if (!this.#cancelled() && this.#received < this.end) {
          this.#fail(new StorageError('network', `read ended at byte ${this.#received} of ${this.end}`));
        }
        this.#closeBody();
      });
      body.on('error', (e: unknown) => {
        this.#closeBody();
        this.#fail(e);
      });
      this.#flow();
    } catch (e) {
      this.#fail(e);
      this.#finished();
    }
  }

  #onData(raw: Buffer): void {
    if (this.#cancelled() || this.#error !== undefined) return;
    const rest = this.end - this.#received;
    const data = raw.length > rest ? raw.subarray(0, rest) : raw;
    if (data.length === 0) return;
    const budget = this.#o.budget;
    if (!budget || data.length > budget.limit) {
      this.#accept(data, false);
    } else if (budget.tryReserve(data.length)) {
      this.#accept(data, true);
    } else if (this.#demanded()) {
      this.#accept(data, false);
    } else {
      this.#waitForRoom(budget, data);
    }
  }

  /** The budget is full and no read needs `data` yet: pause until there is room or a read needs it. */
  #waitForRoom(budget: ByteBudget, data: Buffer): void {
    this.#pending = true;
    this.#body?.pause();
    const demand = new AbortController();
    this.#demand = demand;
    budget.reserve(data.length, demand.signal).then(
      () => {
        this.#roomOrDemand(data, true);
      },
      () => {
        this.#roomOrDemand(data, false);
      },
    );
  }

  #roomOrDemand(data: Buffer, reserved: boolean): void {
    this.#demand = undefined;
    this.#pending = false;
    if (this.#cancelled()) {
      if (reserved) this.#release(data.length);
      return;
    }
    this.#accept(data, reserved);
  }

  #accept(data: Buffer, reserved: boolean): void {
    const at = this.#received;
    this.#chunks.push(data, reserved);
    this.#o.onBytes?.(at, data);
    this.#trim();
    this.#settle();
    if (this.#received >= this.end) this.#closeBody();
    else this.#flow();
  }

  /** Lets the body flow while the bytes ahead of the reader fit the window or a read waits; else pauses. */
  #flow(): void {
    const body = this.#body;
    if (!body || this.#pending) return;
    if (this.#received - this.#consumed < this.window || this.#demanded()) body.resume();
    else body.pause();
  }

  #closeBody(): void {
    const body = this.#body;
    if (body) {
      this.#body = undefined;
      body.removeAllListeners('data');
      body.on('error', ignore);
      body.destroy();
    }
    this.#finished();
  }

  #finished(): void {
    if (this.#done) return;
    this.#done = true;
    this.#o.onDone?.();
  }

  /** Drops chunks wholly behind what the reader consumed, less a little kept for out-of-order reads. */
  #trim(): void {
    this.#release(this.#chunks.dropBefore(this.#consumed - BACKWARD_KEEP));
  }

  #release(bytes: number): void {
    if (bytes > 0) this.#o.budget?.release(bytes);
  }

  #settle(): void {
    const received = this.#received;
    if (!this.#waiters.some((w) => w.end <= received)) return;
    const ready = this.#waiters.filter((w) => w.end <= received);
    this.#waiters = this.#waiters.filter((w) => w.end > received);
    for (const w of ready) w.resolve();
  }

  #fail(error: unknown): void {
    this.#error ??= error;
    this.#settle();
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) w.reject(this.#error);
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
