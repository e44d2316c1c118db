// In-memory content blocks: an LRU bounded in bytes (lru-cache, size = buffer length), optionally drawing
// on the shared ByteBudget so staged writes can push blocks out. It owns neither block math nor disk; the
// content cache layers disk behind it. Blocks are immutable once stored: callers must not write into a
// Buffer they got from here. A Buffer that is a view into a larger allocation is copied on the way in, so
// a cached block never pins more memory than it is counted for.

import { LRUCache } from 'lru-cache';
import { blockDataBuffer, blockDataLength, type BlockData } from './block-data.js';
import type { ByteBudget } from './budget.js';
import { ObjectIndex, blockId, objectId, type BlockKey } from './block-key.js';

export interface MemoryBlocksOptions {
  /** Hard bound on the bytes held. */
  maxBytes: number;
  /** When given, every stored byte is also reserved here, and the budget may evict blocks on demand. */
  budget?: ByteBudget;
}

export interface BlockStoreStats {
  hits: number;
  misses: number;
  /** Bytes currently held. */
  bytes: number;
  /** Blocks currently held. */
  blocks: number;
  /** Blocks dropped to make room (not by invalidation). */
  evictions: number;
}

interface Entry {
  data: BlockData;
  bytes: number;
  object: string;
}

export class MemoryBlocks {
  readonly maxBytes: number;
  readonly #budget: ByteBudget | undefined;
  readonly #lru: LRUCache<string, Entry> | undefined;
  readonly #index = new ObjectIndex();
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(options: MemoryBlocksOptions) {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 0) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${options.maxBytes}`);
    }
    this.maxBytes = options.maxBytes;
    this.#budget = options.budget;
    // lru-cache refuses maxSize 0; a zero bound simply means "store nothing".
    if (this.maxBytes === 0) return;
    this.#lru = new LRUCache<string, Entry>({
      maxSize: this.maxBytes,
      sizeCalculation: (entry) => entry.bytes,
      dispose: (entry, id, reason) => {
        this.#index.remove(entry.object, id);
        this.#budget?.release(entry.bytes);
        if (reason === 'evict') this.#evictions++;
      },
    });
    this.#budget?.addEvictor((needed) => {
      this.#evict(needed);
    });
  }

  /** The block as one Buffer (a block stored as parts is copied: see `getData`). */
  get(key: BlockKey): Buffer | undefined {
    const data = this.getData(key);
    return data === undefined ? undefined : blockDataBuffer(data);
  }

  /** The block as stored: one Buffer or its parts (block-data.ts), without copying. */
  getData(key: BlockKey): BlockData | undefined {
    const entry = this.#lru?.get(blockId(key));
    if (entry) this.#hits++;
    else this.#misses++;
    return entry?.data;
  }

  has(key: BlockKey): boolean {
    return this.#lru?.has(blockId(key)) ?? false;
  }

  /** Stores a block; returns false when it was not kept (empty, larger than the bound, or no budget). */
  set(key: BlockKey, data: BlockData): boolean {
    const lru = this.#lru;
    const bytes = blockDataLength(data);
    if (!lru || bytes === 0 || bytes > this.maxBytes) return false;
    const id = blockId(key);
    // Same key, same generation: same bytes. Refresh recency instead of swapping buffers.
    if (lru.get(id)) return true;
    if (this.#budget && !this.#budget.tryReserve(bytes)) return false;
    // Parts are views of whole response buffers (a block's worth of them): kept as they are.
    const own = Buffer.isBuffer(data) ? ownBuffer(data) : [...(data as readonly Buffer[])];
    const object = objectId(key.bucket, key.object);
    lru.set(id, { data: own, bytes, object });
    this.#index.add(object, id);
    return true;
  }

  delete(key: BlockKey): void {
    this.#lru?.delete(blockId(key));
  }

  /** Drops every block of every generation of the object. */
  deleteObject(bucket: string, object: string): void {
    for (const id of this.#index.blocksOf(objectId(bucket, object))) this.#lru?.delete(id);
  }

  clear(): void {
    this.#lru?.clear();
  }

  stats(): BlockStoreStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      bytes: this.#lru?.calculatedSize ?? 0,
      blocks: this.#lru?.size ?? 0,
      evictions: this.#evictions,
    };
  }

  /** Frees at least `needed` bytes from the cold end (or everything there is). */
  #evict(needed: number): void {
    const lru = this.#lru;
    if (!lru) return;
    let freed = 0;
    while (freed < needed && lru.size > 0) {
      const entry = lru.pop();
      if (!entry) break;
      freed += entry.bytes; // dispose() has counted the eviction and released the budget
    }
  }
}

/** A view of a larger buffer is copied so the cache does not pin the rest of it. */
function ownBuffer(data: Buffer): Buffer {
  return data.byteOffset === 0 && data.buffer.byteLength === data.length ? data : unpooledCopy(data);
}

/** Buffer.from would copy small buffers into Node's shared 8 KiB pool, pinning it again. */
function unpooledCopy(data: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(data.length);
  data.copy(copy);
  return copy;
}
