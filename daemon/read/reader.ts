// Reads of clean (not locally modified) files: served from the content cache in fixed blocks keyed by
// generation, fetched with ranged GETs on a miss, with read-ahead of the next blocks when access is
// sequential. A block fetch shared by concurrent readers is made once.

import { DEFAULT_BLOCK_SIZE, blockCount, blockLength, blockStart } from '../../cache/block.js';
import { blockId } from '../../cache/block-key.js';
import type { ContentCache } from '../../cache/content-cache.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { Generation } from '../../storage/types.js';
import { MAX_READAHEAD_BLOCKS, nextWindow } from './readahead.js';

export interface ReadTarget {
  bucket: string;
  key: string;
  generation: Generation;
  size: number;
}

export class Reader {
  readonly #inflight = new Map<string, Promise<Buffer>>();

  constructor(
    readonly backend: StorageBackend,
    readonly cache: ContentCache,
    readonly blockSize = DEFAULT_BLOCK_SIZE,
    /** Most blocks fetched ahead of a sequential reader. */
    readonly maxReadAheadBlocks = MAX_READAHEAD_BLOCKS,
  ) {}

  /** Copies up to `length` bytes at `offset` into `into`; returns the count (0 at EOF). */
  async read(
    t: ReadTarget,
    into: Buffer,
    length: number,
    offset: number,
    state: { nextOffset: number; window: number },
  ): Promise<number> {
    if (offset >= t.size || length === 0) return 0;
    const end = Math.min(t.size, offset + length);
    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((end - 1) / this.blockSize);
    state.window = nextWindow(state.window, offset === state.nextOffset, this.maxReadAheadBlocks);
    state.nextOffset = end;
    const total = blockCount(t.size, this.blockSize);
    for (let i = last + 1; i <= Math.min(total - 1, last + state.window); i++)
      void this.#block(t, i).catch(() => undefined);
    let copied = 0;
    for (let i = first; i <= last; i++) {
      const block = await this.#block(t, i);
      const bStart = blockStart(i, this.blockSize);
      const from = Math.max(offset, bStart) - bStart;
      const to = Math.min(end, bStart + block.length) - bStart;
      block.copy(into, copied, from, to);
      copied += to - from;
    }
    return copied;
  }

  async #block(t: ReadTarget, index: number): Promise<Buffer> {
    const key = { bucket: t.bucket, object: t.key, generation: t.generation, index };
    const id = blockId(key);
    const pending = this.#inflight.get(id);
    if (pending) return pending;
    const fetch = (async () => {
      const cached = await this.cache.getBlock(key);
      if (cached) return cached;
      const start = blockStart(index, this.blockSize);
      const length = blockLength(index, t.size, this.blockSize);
      const { body } = await this.backend.readObject(t.bucket, t.key, {
        range: { start, end: start + length - 1 },
        generation: t.generation,
      });
      const chunks: Buffer[] = [];
      for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
      const data = Buffer.concat(chunks);
      this.cache.putBlock(key, data);
      return data;
    })();
    this.#inflight.set(id, fetch);
    try {
      return await fetch;
    } finally {
      this.#inflight.delete(id);
    }
  }
}
