// A GrowingSource (storage/backend.ts) over a Buffer a test appends to, then ends: what the mount's staged
// file is to a streamed upload. It records the offsets read, so a test can tell what was read twice.

import type { GrowingSource } from '../../storage/backend.js';
import { StorageError } from '../../storage/errors.js';

/** A growing source over a Buffer the test appends to (the mount's is its staged file). */
export class Growing implements GrowingSource {
  readonly kind = 'growing';
  readonly reads: number[] = [];
  #data = Buffer.alloc(0);
  #ended = false;
  #waiters: (() => void)[] = [];

  append(b: Buffer): void {
    this.#data = Buffer.concat([this.#data, b]);
    this.#wake();
  }
  end(): void {
    this.#ended = true;
    this.#wake();
  }
  available(): number {
    return this.#data.length;
  }
  total(): number | undefined {
    return this.#ended ? this.#data.length : undefined;
  }
  async wait(upTo: number, signal?: AbortSignal): Promise<void> {
    while (!this.#ended && this.#data.length < upTo) {
      if (signal?.aborted === true) throw new StorageError('aborted', 'aborted');
      let onAbort: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        onAbort = resolve;
        this.#waiters.push(resolve);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }
  read(offset: number, length: number): Promise<Buffer> {
    this.reads.push(offset);
    return Promise.resolve(Buffer.from(this.#data.subarray(offset, offset + length)));
  }
  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}
