// On-disk content blocks: one file per block under <cacheDir>/content-blocks, named by a hash of the block
// id so no object name ever reaches a path, and found only through an in-memory index that learns a block
// once its file is fully written, so a reader never sees half a block. The index (a Map in LRU order)
// keeps the hard byte bound: bytes are counted from the moment a write is reserved until its file is
// unlinked, so the directory never holds more than maxBytes of blocks.
// Start-up wipes the directory instead of rescanning it: hashed names cannot be mapped back to an object
// (so rescanned blocks could never be invalidated or attributed), a crash may leave half-written files,
// and generations key the content so a cold cache is only slower, never wrong. Every failure is soft: a cache write that
// fails (ENOSPC included: we evict and give up) returns false and must never fail the read that caused it.
// lru-cache is not used here because its eviction is synchronous and an unlink is not.

import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { blockDataLength, type BlockData } from './block-data.js';
import { ObjectIndex, blockId, objectId, type BlockKey } from './block-key.js';
import type { BlockStoreStats } from './memory-blocks.js';
import { OpenBlocks } from './open-blocks.js';

/** The subdirectory of the cache dir this module owns (and wipes at start-up). Staged writes live elsewhere
 *  in the cache dir, so the wipe can never touch them. */
export const DISK_BLOCKS_DIR = 'content-blocks';

/** The file operations used; a seam so tests can inject ENOSPC. */
export type DiskFs = Pick<typeof fsp, 'unlink' | 'rm' | 'mkdir' | 'open'>;

export interface DiskBlocksOptions {
  cacheDir: string;
  /** Hard bound on the bytes of block files. */
  maxBytes: number;
  fs?: DiskFs;
  logger?: Logger;
}

export interface DiskBlockStats extends BlockStoreStats {
  /** Cache writes (or reads) that failed and were dropped. */
  failures: number;
}

interface Entry {
  file: string;
  size: number;
  object: string;
}

interface Pending {
  object: string;
  cancelled: boolean;
  done: Promise<boolean>;
}

// 256 subdirectories keep each directory small even for a cache of a million blocks.
const SHARDS = 256;

export class DiskBlocks {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #fs: DiskFs;
  readonly #logger: Logger | undefined;
  /** block id -> entry, least recently used first. */
  readonly #entries = new Map<string, Entry>();
  readonly #index = new ObjectIndex();
  readonly #pending = new Map<string, Pending>();
  readonly #unlinks = new Set<Promise<void>>();
  /** Handles of block files read in part (read()). */
  readonly #open: OpenBlocks;
  #bytes = 0;
  #seq = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #failures = 0;

  private constructor(options: DiskBlocksOptions) {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 0) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${options.maxBytes}`);
    }
    this.dir = join(options.cacheDir, DISK_BLOCKS_DIR);
    this.maxBytes = options.maxBytes;
    this.#fs = options.fs ?? fsp;
    this.#logger = options.logger;
    this.#open = new OpenBlocks((file) => this.#fs.open(file, 'r'));
  }

  /** Wipes and recreates the block directory. */
  static async open(options: DiskBlocksOptions): Promise<DiskBlocks> {
    const blocks = new DiskBlocks(options);
    await blocks.#fs.rm(blocks.dir, { recursive: true, force: true });
    await blocks.#fs.mkdir(blocks.dir, { recursive: true, mode: 0o700 });
    const shards = Array.from({ length: SHARDS }, (_, i) => i.toString(16).padStart(2, '0'));
    await Promise.all(shards.map((s) => blocks.#fs.mkdir(join(blocks.dir, s), { mode: 0o700 })));
    return blocks;
  }

  /** Copies bytes [from, to) of the block into `into` at `at`, read from its file in place (no read of the
   *  whole block); false on a miss. A read that fails drops the block: evicted under our feet (ENOENT) or
   *  damaged, either way a miss. */
  async read(key: BlockKey, into: Buffer, at: number, from: number, to: number): Promise<boolean> {
    const id = blockId(key);
    const entry = this.#entries.get(id);
    if (!entry || to > entry.size) {
      this.#misses++;
      return false;
    }
    this.#touch(id, entry);
    try {
      const n = await this.#open.read(entry.file, into, at, to - from, from);
      if (n !== to - from) throw new Error(`block file gave ${n} bytes at ${from}, not ${to - from}`);
      this.#hits++;
      return true;
    } catch (e) {
      this.#misses++;
      if (errnoCode(e) !== 'ENOENT') this.#fail('read', e);
      if (this.#entries.get(id) === entry) await this.#remove(id, entry);
      return false;
    }
  }

  has(key: BlockKey): boolean {
    return this.#entries.has(blockId(key));
  }

  /** Stores a block (one Buffer or the parts it arrived in, written as they are); resolves false (never
   *  rejects) when it was not stored. */
  put(key: BlockKey, data: BlockData): Promise<boolean> {
    const id = blockId(key);
    const entry = this.#entries.get(id);
    if (entry) {
      this.#touch(id, entry);
      return Promise.resolve(true);
    }
    const pending = this.#pending.get(id);
    if (pending) return pending.done;
    const size = blockDataLength(data);
    if (size === 0 || size > this.maxBytes) return Promise.resolve(false);
    const object = objectId(key.bucket, key.object);
    const state: Pending = { object, cancelled: false, done: Promise.resolve(false) };
    state.done = this.#write(id, object, data, size, state).finally(() => this.#pending.delete(id));
    this.#pending.set(id, state);
    return state.done;
  }

  /** Drops every block of every generation of the object (including writes still in flight). */
  async deleteObject(bucket: string, object: string): Promise<void> {
    const oid = objectId(bucket, object);
    for (const p of this.#pending.values()) if (p.object === oid) p.cancelled = true;
    await Promise.all(
      this.#index.blocksOf(oid).map((id) => {
        const entry = this.#entries.get(id);
        return entry ? this.#remove(id, entry) : Promise.resolve();
      }),
    );
  }

  async clear(): Promise<void> {
    for (const p of this.#pending.values()) p.cancelled = true;
    await Promise.all([...this.#entries].map(([id, entry]) => this.#remove(id, entry)));
  }

  /** Resolves once every write and unlink started so far has finished (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.#pending.values()].map((p) => p.done));
    await Promise.all(this.#unlinks);
  }

  stats(): DiskBlockStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      bytes: this.#bytes,
      blocks: this.#entries.size,
      evictions: this.#evictions,
      failures: this.#failures,
    };
  }

  // Written under its final name: nothing finds a block before #entries has it (set once the write is
  // done), and start-up wipes whatever a crash left half-written, so a temp name and a rename would only
  // cost a thread-pool round trip per block.
  async #write(id: string, object: string, data: BlockData, size: number, state: Pending): Promise<boolean> {
    if (!(await this.#reserve(size))) return false;
    const hash = createHash('sha256').update(id).digest('hex');
    const file = join(this.dir, hash.slice(0, 2), `${hash}-${++this.#seq}`);
    try {
      await this.#writeFile(file, Buffer.isBuffer(data) ? [data] : [...data], size);
    } catch (e) {
      this.#fail('write', e);
      await this.#unlink(file);
      this.#bytes -= size;
      if (errnoCode(e) === 'ENOSPC') await this.#evictBytes(size);
      return false;
    }
    if (state.cancelled) {
      await this.#unlink(file);
      this.#bytes -= size;
      return false;
    }
    this.#entries.set(id, { file, size, object });
    this.#index.add(object, id);
    return true;
  }

  /** One open, one writev of the parts (no copy into a block-sized buffer), one close. */
  async #writeFile(file: string, parts: Buffer[], size: number): Promise<void> {
    const fh = await this.#fs.open(file, 'wx', 0o600);
    try {
      const { bytesWritten } = await fh.writev(parts);
      if (bytesWritten !== size) {
        throw Object.assign(new Error(`short write: ${bytesWritten} of ${size} bytes`), { code: 'ENOSPC' });
      }
    } finally {
      await fh.close();
    }
  }

  /** Evicts from the cold end until `size` more bytes fit, then counts them before the first byte reaches
   *  the disk (in the same tick as the last check, so concurrent writers cannot both take the room). False
   *  if only in-flight writes hold the room. */
  async #reserve(size: number): Promise<boolean> {
    while (this.#bytes + size > this.maxBytes) {
      const oldest = this.#entries.entries().next();
      if (oldest.done) return false;
      this.#evictions++;
      await this.#remove(...oldest.value);
    }
    this.#bytes += size;
    return true;
  }

  async #evictBytes(bytes: number): Promise<void> {
    let freed = 0;
    while (freed < bytes) {
      const oldest = this.#entries.entries().next();
      if (oldest.done) return;
      freed += oldest.value[1].size;
      this.#evictions++;
      await this.#remove(...oldest.value);
    }
  }

  /** Forgets the entry at once; its bytes stay counted until the file is really gone. */
  async #remove(id: string, entry: Entry): Promise<void> {
    this.#entries.delete(id);
    this.#index.remove(entry.object, id);
    this.#open.forget(entry.file);
    await this.#unlink(entry.file);
    this.#bytes -= entry.size;
  }

  async #unlink(file: string): Promise<void> {
    const done = this.#fs.unlink(file).catch((e: unknown) => {
      if (errnoCode(e) !== 'ENOENT') this.#fail('unlink', e);
    });
    this.#unlinks.add(done);
    try {
      await done;
    } finally {
      this.#unlinks.delete(done);
    }
  }

  #touch(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
  }

  #fail(op: string, e: unknown): void {
    this.#failures++;
    this.#logger?.warn('disk cache operation failed; continuing without it', {
      op,
      code: errnoCode(e),
      error: e instanceof Error ? e.message : String(e),
    });
  }
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}
