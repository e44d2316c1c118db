// The content cache the read path talks to: memory first, then disk, both keyed by bucket + object +
// generation + block index. It owns the tiering policy only (write-through to disk, bounded background
// disk writes; a disk hit is read in place, never promoted to memory: readFromDisk); block math is
// block.ts and fetching is the reader's job.
// Disk writes run in the background and are dropped when too many are in flight: the cache is an
// optimisation and must never make a read wait for, or fail because of, the disk.

import type { BlockData } from './block-data.js';
import type { BlockKey } from './block-key.js';
import type { DiskBlockStats, DiskBlocks } from './disk-blocks.js';
import type { BlockStoreStats, MemoryBlocks } from './memory-blocks.js';

/** Enough to keep a local disk busy without holding many block buffers in memory for it. */
export const DEFAULT_DISK_WRITES_IN_FLIGHT = 8;

export interface ContentCacheOptions {
  memory: MemoryBlocks;
  disk?: DiskBlocks;
  maxDiskWritesInFlight?: number;
}

export interface ContentCacheStats {
  hits: number;
  misses: number;
  /** Blocks not written to disk because too many disk writes were in flight. */
  diskWritesSkipped: number;
  memory: BlockStoreStats;
  disk: DiskBlockStats | undefined;
}

export class ContentCache {
  readonly #memory: MemoryBlocks;
  readonly #disk: DiskBlocks | undefined;
  readonly #maxInFlight: number;
  readonly #inFlight = new Set<Promise<boolean>>();
  #hits = 0;
  #misses = 0;
  #skipped = 0;

  constructor(options: ContentCacheOptions) {
    this.#memory = options.memory;
    this.#disk = options.disk;
    this.#maxInFlight = options.maxDiskWritesInFlight ?? DEFAULT_DISK_WRITES_IN_FLIGHT;
  }

  /** Whether a stored block would be kept anywhere (the reader skips assembling blocks otherwise). */
  get storesBlocks(): boolean {
    return this.#memory.maxBytes > 0 || this.#disk !== undefined;
  }

  /** The block if memory holds it (no disk probe): a hit is counted, a miss is not (the caller asks the disk
   *  next, with readFromDisk). */
  memoryBlock(key: BlockKey): BlockData | undefined {
    const data = this.#memory.getData(key);
    if (data) this.#hits++;
    return data;
  }

  /** Copies bytes [from, to) of the block into `into` at `at` from the disk tier, without reading the whole
   *  block or promoting it to memory: a random 4 KiB read of a cached 1 MiB block must cost one small
   *  pread, not a 1 MiB read and an eviction. False on a miss. */
  async readFromDisk(key: BlockKey, into: Buffer, at: number, from: number, to: number): Promise<boolean> {
    const ok = (await this.#disk?.read(key, into, at, from, to)) ?? false;
    if (ok) this.#hits++;
    else this.#misses++;
    return ok;
  }

  /** Caches a block (the whole block: `blockLength` bytes, short only for the object's last block). */
  putBlock(key: BlockKey, data: BlockData): void {
    this.#memory.set(key, data);
    const disk = this.#disk;
    if (!disk || disk.has(key)) return;
    if (this.#inFlight.size >= this.#maxInFlight) {
      this.#skipped++;
      return;
    }
    const write = disk.put(key, data).finally(() => this.#inFlight.delete(write));
    this.#inFlight.add(write);
  }

  /** Drops every cached block of the object, all generations (the mount wrote, deleted or renamed it). */
  async invalidateObject(bucket: string, name: string): Promise<void> {
    this.#memory.deleteObject(bucket, name);
    await this.#disk?.deleteObject(bucket, name);
  }

  /** Drops everything (SIGHUP). Generations make this unnecessary for correctness; it frees space. */
  async clear(): Promise<void> {
    this.#memory.clear();
    await this.#disk?.clear();
  }

  /** Resolves when background disk writes started so far have finished (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all(this.#inFlight);
    await this.#disk?.idle();
  }

  stats(): ContentCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      diskWritesSkipped: this.#skipped,
      memory: this.#memory.stats(),
      disk: this.#disk?.stats(),
    };
  }
}
