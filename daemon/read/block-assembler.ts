// Gathers the bytes a prefetch run streams into whole, aligned content-cache blocks and hands each one to
// the cache when it is complete. A run that starts inside a block skips that block (a partial block is
// never cached), so the cache holds only bytes that fill a block exactly. A block is handed over as the
// chunks it arrived in (cache/block-data.ts), never concatenated. Owns no I/O.

import { blockLength } from '../../cache/block.js';
import type { ContentCache } from '../../cache/content-cache.js';
import type { ReadTarget } from './read-target.js';

export class BlockAssembler {
  readonly #target: ReadTarget;
  readonly #cache: ContentCache;
  readonly #blockSize: number;
  #index = -1;
  #parts: Buffer[] = [];
  #filled = 0;

  constructor(target: ReadTarget, cache: ContentCache, blockSize: number) {
    this.#target = target;
    this.#cache = cache;
    this.#blockSize = blockSize;
  }

  /** Bytes at absolute `offset`, in stream order. */
  add(offset: number, data: Buffer): void {
    let at = offset;
    let rest = data;
    while (rest.length > 0) {
      const index = Math.floor(at / this.#blockSize);
      const blockStart = index * this.#blockSize;
      const take = Math.min(rest.length, blockStart + this.#blockSize - at);
      if (at === blockStart) {
        this.#index = index;
        this.#parts = [];
        this.#filled = 0;
      }
      if (index === this.#index) {
        this.#parts.push(rest.subarray(0, take));
        this.#filled += take;
        if (this.#filled === blockLength(index, this.#target.size, this.#blockSize)) this.#flush();
      }
      at += take;
      rest = rest.subarray(take);
    }
  }

  #flush(): void {
    const t = this.#target;
    const key = { bucket: t.bucket, object: t.key, generation: t.generation, index: this.#index };
    this.#cache.putBlock(key, this.#parts);
    this.#index = -1;
    this.#parts = [];
    this.#filled = 0;
  }
}
