// One run of a prefetcher: a single streamed ranged GET over [start, end) of one generation, with the bytes
// kept in arrival order until the reader has consumed them. A read waits only until its own range has
// arrived (not for a whole block), so bytes reach the kernel as they come. Flow control is the stream's:
// the body is pulled only while the bytes ahead of the reader fit the window (or a read is waiting for
// them), so TCP backpressure stops the server instead of memory filling up.
// Bytes held are reserved in the global ByteBudget (shared with the memory cache, which it evicts). Bytes a
// waiting read needs are never held back for the budget, so a reader cannot deadlock behind idle handles;
// only the speculative part of the window waits for room.
// It does not decide when to start or stop a run (reader.ts does) and does not cache (it reports bytes to
// `onBytes`, see block-assembler.ts).

import type { ByteBudget } from '../../cache/budget.js';
import type { StorageBackend } from '../../storage/backend.js';
import { StorageError } from '../../storage/errors.js';
import type { ReadTarget } from './read-target.js';
import { BACKWARD_KEEP, windowAfter, type WindowLimits } from './window.js';

export interface PrefetchRunOptions {
  backend: StorageBackend;
  target: ReadTarget;
  /** Absolute byte range, end exclusive (at most the object's size). */
  start: number;
  end: number;
  limits: WindowLimits;
  budget?: ByteBudget | undefined;
  /** Called with every chunk in order, as it arrives (to fill the content cache). */
  onBytes?: ((offset: number, data: Buffer) => void) | undefined;
}

interface Chunk {
  offset: number;
  data: Buffer;
  reserved: boolean;
}

interface Waiter {
  end: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class PrefetchRun {
  readonly start: number;
  readonly end: number;
  readonly #o: PrefetchRunOptions;
  readonly #abort = new AbortController();
  #chunks: Chunk[] = [];
  /** One past the last byte received. */
  #received: number;
  /** One past the furthest byte any read was served. */
  #consumed: number;
  #waiters: Waiter[] = [];
  #reading = 0;
  #retired = false;
  #error: unknown;
  /** Wakes the pump when it waits for the reader (room in the window) or for the budget (a demand). */
  #wakePump: (() => void) | undefined;
  #demand: AbortController | undefined;

  constructor(options: PrefetchRunOptions) {
    this.#o = options;
    this.start = options.start;
    this.end = options.end;
    this.#received = options.start;
    this.#consumed = options.start;
    this.#abort.signal.addEventListener('abort', () => this.#wakePump?.(), { once: true });
    void this.#pump();
  }

  /** Bytes received and not yet dropped (tests, metrics). */
  get held(): number {
    return this.#chunks.reduce((n, c) => n + c.data.length, 0);
  }

  get window(): number {
    return windowAfter(this.#consumed - this.start, this.#o.limits);
  }

  /** Whether a read at `offset` belongs to this run: inside its range, not yet dropped, and no further
   *  ahead than one window past what has arrived (a short forward skip waits; a long one is a seek). */
  covers(offset: number): boolean {
    if (this.#error !== undefined || this.#abort.signal.aborted) return false;
    const keptFrom = this.#chunks[0]?.offset ?? this.#received;
    return offset >= keptFrom && offset < this.end && offset <= this.#received + this.window;
  }

  /** Copies [offset, offset + length) clipped to the run into `into` once it has arrived. */
  async read(into: Buffer, length: number, offset: number): Promise<number> {
    const end = Math.min(this.end, offset + length);
    this.#reading++;
    try {
      await this.#until(end);
      let copied = 0;
      for (const c of this.#chunks) {
        const cEnd = c.offset + c.data.length;
        if (cEnd <= offset) continue;
        if (c.offset >= end) break;
        const from = Math.max(offset, c.offset) - c.offset;
        const to = Math.min(end, cEnd) - c.offset;
        copied += c.data.copy(into, copied, from, to);
      }
      this.#consumed = Math.max(this.#consumed, end);
      this.#trim();
      this.#wakePump?.();
      return copied;
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
    this.#fail(new StorageError('aborted', 'read-ahead cancelled'));
    for (const c of this.#chunks) if (c.reserved) this.#o.budget?.release(c.data.length);
    this.#chunks = [];
  }

  #until(end: number): Promise<void> {
    if (this.#received >= end) return Promise.resolve();
    if (this.#error !== undefined) return Promise.reject(asError(this.#error));
    return new Promise((resolve, reject) => {
      this.#waiters.push({ end, resolve, reject });
      this.#wakePump?.();
      this.#demand?.abort();
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

  async #pump(): Promise<void> {
    const { backend, target } = this.#o;
    const signal = this.#abort.signal;
    try {
      const { body } = await backend.readObject(target.bucket, target.key, {
        range: { start: this.start, end: this.end - 1 },
        generation: target.generation,
        signal,
      });
      try {
        for await (const raw of body as AsyncIterable<Buffer>) {
          if (signal.aborted) break;
          const data =
            raw.length > this.end - this.#received ? raw.subarray(0, this.end - this.#received) : raw;
          const reserved = await this.#reserve(data.length);
          if (this.#cancelled()) {
            if (reserved) this.#o.budget?.release(data.length);
            break;
          }
          this.#chunks.push({ offset: this.#received, data, reserved });
          this.#o.onBytes?.(this.#received, data);
          this.#received += data.length;
          this.#trim();
          this.#settle();
          if (this.#received >= this.end) break;
          await this.#roomAhead();
        }
      } finally {
        body.destroy();
      }
      if (!signal.aborted && this.#received < this.end) {
        throw new StorageError('network', `read ended at byte ${this.#received} of ${this.end}`);
      }
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Reserves a chunk in the budget; waits only while no read needs it. False: held unreserved. */
  async #reserve(bytes: number): Promise<boolean> {
    const budget = this.#o.budget;
    if (!budget || bytes > budget.limit) return false;
    if (budget.tryReserve(bytes)) return true;
    if (this.#demanded()) return false;
    const demand = new AbortController();
    this.#demand = demand;
    const onCancel = (): void => {
      demand.abort();
    };
    this.#abort.signal.addEventListener('abort', onCancel, { once: true });
    try {
      await budget.reserve(bytes, demand.signal);
      return true;
    } catch {
      return false; // a read now needs these bytes (or the run was cancelled: the caller checks)
    } finally {
      this.#demand = undefined;
      this.#abort.signal.removeEventListener('abort', onCancel);
    }
  }

  /** Waits until the bytes ahead of the reader are fewer than the window, or a read waits for more. */
  async #roomAhead(): Promise<void> {
    while (
      !this.#abort.signal.aborted &&
      this.#received - this.#consumed >= this.window &&
      !this.#demanded()
    ) {
      await new Promise<void>((resolve) => {
        this.#wakePump = resolve;
      });
      this.#wakePump = undefined;
    }
  }

  /** Drops chunks wholly behind what the reader consumed, less a little kept for out-of-order reads. */
  #trim(): void {
    const keepFrom = this.#consumed - BACKWARD_KEEP;
    while (this.#chunks.length > 0) {
      const c = this.#chunks[0];
      if (!c || c.offset + c.data.length > keepFrom) break;
      this.#chunks.shift();
      if (c.reserved) this.#o.budget?.release(c.data.length);
    }
  }

  #settle(): void {
    const ready = this.#waiters.filter((w) => w.end <= this.#received);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.end > this.#received);
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
