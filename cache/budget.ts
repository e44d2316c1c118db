// One byte budget shared by the in-memory content blocks and (later) staged writes, so the mount's memory
// use has a single bound. It owns the accounting only: holders reserve before they keep bytes and release
// when they drop them. Caches register evictors that free space on demand; writers that must not be refused
// wait in FIFO order. Accounting can never go negative: releasing more than is held is a bug and throws.

/** Asked to free at least `bytesNeeded` bytes (by calling `release` on the budget) synchronously. */
export type Evictor = (bytesNeeded: number) => void;

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class ByteBudget {
  readonly limit: number;
  #used = 0;
  #evictors: Evictor[] = [];
  #waiters: Waiter[] = [];

  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new RangeError(`budget limit must be a non-negative integer, got ${limit}`);
    }
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }

  get available(): number {
    return this.limit - this.#used;
  }

  /** Reservations waiting in `reserve`. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Registers a cache that can give bytes back; returns a function that unregisters it. */
  addEvictor(evictor: Evictor): () => void {
    this.#evictors.push(evictor);
    return () => {
      this.#evictors = this.#evictors.filter((e) => e !== evictor);
    };
  }

  /** Reserves `bytes` now if they fit after asking evictors for room; never waits. Fails while anyone is
   *  waiting in `reserve`, so an optional holder (a cache) never takes space a writer is queued for. */
  tryReserve(bytes: number): boolean {
    checkBytes(bytes);
    if (bytes > this.limit || this.#waiters.length > 0) return false;
    if (!this.#makeRoom(bytes)) return false;
    this.#used += bytes;
    return true;
  }

  /** Reserves `bytes`, evicting caches first and otherwise waiting (FIFO) for releases. Rejects at once
   *  when `bytes` exceeds the limit, since no amount of waiting could satisfy it. */
  reserve(bytes: number, signal?: AbortSignal): Promise<void> {
    checkBytes(bytes);
    if (bytes > this.limit) {
      return Promise.reject(new RangeError(`cannot reserve ${bytes} bytes from a budget of ${this.limit}`));
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.tryReserve(bytes)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(signal?.reason as Error);
          this.#wake();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Gives back `bytes` previously reserved. */
  release(bytes: number): void {
    checkBytes(bytes);
    if (bytes > this.#used) {
      throw new RangeError(`releasing ${bytes} bytes but only ${this.#used} are reserved`);
    }
    this.#used -= bytes;
    this.#wake();
  }

  #makeRoom(bytes: number): boolean {
    for (const evictor of this.#evictors) {
      if (this.#used + bytes <= this.limit) break;
      evictor(this.#used + bytes - this.limit);
    }
    return this.#used + bytes <= this.limit;
  }

  #wake(): void {
    for (;;) {
      const head = this.#waiters[0];
      if (!head || !this.#makeRoom(head.bytes)) return;
      this.#waiters.shift();
      this.#used += head.bytes;
      head.signal?.removeEventListener('abort', head.onAbort);
      head.resolve();
    }
  }
}

function checkBytes(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`byte count must be a non-negative integer, got ${bytes}`);
  }
}
