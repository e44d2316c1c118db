// Reads of clean (not locally modified) files, one prefetcher per open handle (the model is
// mountpoint-s3's): a read inside the handle's current run is served from it; otherwise the content cache
// is probed (once per block, the last hit kept on the handle) and, on a miss, a new run starts. A read
// where the previous one ended (or at 0 on a fresh handle) is sequential and streams one ranged GET to the
// end of the object with a growing window; any other read is random and fetches what it asked for,
// rounded up a little. A seek retires the old run (its GET is aborted once reads already waiting on it are
// served); closing the handle aborts it at once. The content cache is a tier below, filled in whole
// blocks as runs stream (block-assembler.ts), never the read-ahead buffer itself.

import { DEFAULT_BLOCK_SIZE, blockLength, blockStart } from '../../cache/block.js';
import { blockDataLength, copyBlockData, type BlockData } from '../../cache/block-data.js';
import type { ByteBudget } from '../../cache/budget.js';
import type { ContentCache } from '../../cache/content-cache.js';
import type { StorageBackend } from '../../storage/backend.js';
import { StorageError } from '../../storage/errors.js';
import { BlockAssembler } from './block-assembler.js';
import { PrefetchRun } from './prefetch-run.js';
import type { ReadTarget } from './read-target.js';
import {
  DEFAULT_MAX_WINDOW,
  DEFAULT_PREFETCH_ALLOWANCE,
  INITIAL_WINDOW,
  prefetchAllowance,
  randomReadEnd,
} from './window.js';

export type { ReadTarget } from './read-target.js';

export interface ReaderOptions {
  blockSize?: number;
  /** Cap of a sequential run's window (bytes streamed ahead of the reader). */
  maxWindow?: number;
  initialWindow?: number;
  /** Bounds prefetched bytes together with the memory cache (which it evicts). */
  budget?: ByteBudget;
  /** Bytes all runs together may stream ahead (the budget's room beyond the memory cache): each run's
   *  window cap is an equal share of it, so four readers take a quarter each (window.ts). */
  prefetchAllowance?: number;
}

/** The read state of one open handle: its target, its current run and the last cache block it hit. */
export class ReadState {
  readonly target: ReadTarget;
  /** @internal the reader's bookkeeping */
  run: PrefetchRun | undefined;
  /** End of the previous read: a read starting here is sequential. */
  lastEnd = 0;
  cached: { index: number; data: BlockData } | undefined;
  closed = false;

  constructor(target: ReadTarget) {
    this.target = { ...target };
  }

  /** Ends the handle's reading: aborts the GET in flight and frees its buffers. Idempotent. */
  close(): void {
    this.closed = true;
    this.cached = undefined;
    this.run?.cancel();
    this.run = undefined;
  }
}

export class Reader {
  readonly backend: StorageBackend;
  readonly cache: ContentCache;
  readonly blockSize: number;
  readonly #limits: { initial: number; max: number };
  readonly #budget: ByteBudget | undefined;
  readonly #allowance: number;
  /** Runs holding a GET open now (they share the allowance). */
  #live = 0;

  constructor(backend: StorageBackend, cache: ContentCache, options: ReaderOptions = {}) {
    this.backend = backend;
    this.cache = cache;
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    this.#limits = {
      initial: options.initialWindow ?? INITIAL_WINDOW,
      max: options.maxWindow ?? DEFAULT_MAX_WINDOW,
    };
    this.#budget = options.budget;
    this.#allowance = options.prefetchAllowance ?? DEFAULT_PREFETCH_ALLOWANCE;
  }

  /** Runs holding a GET open now (tests, metrics). */
  get liveRuns(): number {
    return this.#live;
  }

  /** Read state for a newly opened handle (no I/O until the first read). */
  open(target: ReadTarget): ReadState {
    return new ReadState(target);
  }

  close(state: ReadState): void {
    state.close();
  }

  /** Copies up to `length` bytes at `offset` into `into`; returns the count (0 at EOF). Rejects with the
   *  storage error ('not-found', 'precondition-failed') when the generation is no longer there. */
  async read(state: ReadState, into: Buffer, length: number, offset: number): Promise<number> {
    const t = state.target;
    if (state.closed) throw new StorageError('aborted', 'read on a closed handle');
    if (offset >= t.size || length === 0) return 0;
    const end = Math.min(t.size, offset + length);
    const sequential = offset === state.lastEnd;
    state.lastEnd = end;
    let run = state.run;
    if (!run?.covers(offset)) {
      const hit = await this.#fromCache(state, into, offset, end);
      if (hit !== undefined) return hit;
      if (isClosed(state)) throw new StorageError('aborted', 'read on a closed handle');
      // A concurrent read (kernel read-ahead) may have started a run that covers this one meanwhile.
      run = state.run;
      if (!run?.covers(offset)) {
        run?.retire();
        run = this.#start(t, offset, sequential ? t.size : randomReadEnd(offset, end, t.size));
        state.run = run;
      }
    }
    const n = await run.read(into, end - offset, offset);
    if (n < end - offset && end > run.end) {
      // The run ended inside this read (a random run smaller than the read): the rest is sequential.
      state.lastEnd = offset + n;
      return n + (await this.read(state, into.subarray(n), end - offset - n, offset + n));
    }
    return n;
  }

  #start(t: ReadTarget, start: number, end: number): PrefetchRun {
    const assembler = this.cache.storesBlocks ? new BlockAssembler(t, this.cache, this.blockSize) : undefined;
    this.#live++;
    return new PrefetchRun({
      backend: this.backend,
      target: t,
      start,
      end,
      limits: this.#limits,
      maxWindow: () => prefetchAllowance(this.#allowance, this.#live, this.#limits.max, this.#limits.initial),
      onDone: () => {
        this.#live--;
      },
      budget: this.#budget,
      onBytes: assembler ? (offset, data) => assembler.add(offset, data) : undefined,
    });
  }

  /** Serves the read from the content cache if every block it touches is there; undefined otherwise.
   *  A block in memory is kept on the handle while it keeps reading inside it (probed once); a block only
   *  on disk is read in place, just the range asked for. */
  async #fromCache(state: ReadState, into: Buffer, offset: number, end: number): Promise<number | undefined> {
    if (!this.cache.storesBlocks) return undefined;
    const t = state.target;
    const bs = this.blockSize;
    let copied = 0;
    for (let i = Math.floor(offset / bs); i <= Math.floor((end - 1) / bs); i++) {
      const bStart = blockStart(i, bs);
      const from = Math.max(offset, bStart) - bStart;
      const to = Math.min(end, bStart + bs) - bStart;
      let data = state.cached?.index === i ? state.cached.data : undefined;
      if (!data) {
        const key = { bucket: t.bucket, object: t.key, generation: t.generation, index: i };
        data = this.cache.memoryBlock(key);
        if (data && blockDataLength(data) === blockLength(i, t.size, bs)) {
          state.cached = { index: i, data };
        } else {
          if (!(await this.cache.readFromDisk(key, into, copied, from, to))) return undefined;
          copied += to - from;
          continue;
        }
      }
      copied += copyBlockData(data, into, copied, from, to);
    }
    return copied;
  }
}

/** Read through a function: the compiler would otherwise assume no await could change it. */
function isClosed(state: ReadState): boolean {
  return state.closed;
}
