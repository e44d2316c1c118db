// Computes the hashes the service reports (MD5 and CRC32C, base64) while bytes stream past, so a body is
// never read twice and never buffered whole. CRC32C runs inline (SIMD, many GB/s); MD5 runs in a worker
// thread (md5-worker.ts), since at a few hundred MB/s on the event loop it was the emulator's PUT ceiling.
// A small body is hashed inline instead: the round trip to the worker (two thread wake-ups) cost more
// than hashing a few KiB, and was most of a 4 KiB PUT's time.

import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32c } from '@node-rs/crc32';
import { Md5Job, SLOT } from './md5-worker.js';

export function crc32cBase64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
}

/** Bytes gathered before a hand-over to the MD5 worker: one of its slots. */
const BATCH = SLOT;

/** A body that ends with at most this many bytes never reached the worker is hashed on the event loop
 *  (about 0.3 ms of MD5 here). */
const INLINE = 256 * 1024;

/** Hash jobs handed to the worker so far (tests check small bodies stay inline). */
let workerJobs = 0;
export const md5WorkerJobs = (): number => workerJobs;

/** Hashes fed in order, possibly across many requests (a resumable session hashes each chunk it keeps, so
 *  finishing the object never reads its bytes again). `md5: false` computes CRC32C only (composite objects
 *  have no MD5, and resumable chunks get theirs from their session). */
export class RunningHash {
  readonly #wantMd5: boolean;
  /** Started with the first hand-over to the worker; a body that never needs one has none. */
  #md5: Md5Job | undefined;
  #crc = 0;
  #batch: Buffer[] = [];
  #batched = 0;
  size = 0;

  constructor(options: { md5?: boolean } = {}) {
    this.#wantMd5 = options.md5 !== false;
  }

  /** Resolves once the bytes are handed to the MD5 worker (it waits when the worker lags); the chunk must
   *  not change before then. */
  update(chunk: Buffer): Promise<void> {
    this.#crc = crc32c(chunk, this.#crc);
    this.size += chunk.length;
    if (!this.#wantMd5) return Promise.resolve();
    this.#batch.push(chunk);
    this.#batched += chunk.length;
    return this.#batched < BATCH ? Promise.resolve() : this.#send();
  }

  /** The hashes of everything fed; call once, at the end. */
  async result(): Promise<{ size: number; md5: string; crc32c: string }> {
    let md5 = '';
    if (this.#wantMd5 && !this.#md5 && this.#batched <= INLINE) {
      const h = createHash('md5');
      for (const piece of this.#batch) h.update(piece);
      this.#batch = [];
      this.#batched = 0;
      md5 = h.digest('base64');
    } else if (this.#wantMd5) {
      await this.#send();
      md5 = await (this.#md5 ?? this.#job()).digest();
    }
    return { size: this.size, md5, crc32c: crc32cBase64(this.#crc) };
  }

  /** Given up before the end: nobody will ask for this digest. */
  drop(): void {
    this.#md5?.drop();
  }

  /** Hands the batch to the MD5 worker (which copies it into its slots: the chunks stay the caller's). */
  #send(): Promise<void> {
    if (this.#batched === 0 || !this.#wantMd5) return Promise.resolve();
    const batch = this.#batch;
    this.#batch = [];
    this.#batched = 0;
    return (this.#md5 ?? this.#job()).update(batch);
  }

  #job(): Md5Job {
    workerJobs++;
    this.#md5 = new Md5Job();
    return this.#md5;
  }
}

/** A pass-through that hashes and counts what flows through it. */
export class HashingStream extends Transform {
  readonly #hash: RunningHash;
  #ended = false;

  constructor(options: { md5?: boolean } = {}) {
    super();
    this.#hash = new RunningHash(options);
  }

  get size(): number {
    return this.#hash.size;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk).then(
      () => done(null, chunk),
      (e: unknown) => done(e as Error),
    );
  }

  override _flush(done: TransformCallback): void {
    this.#ended = true;
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    // Destroyed before the end (the upload failed): nobody will ask for this digest.
    if (!this.#ended) this.#hash.drop();
    done(error);
  }

  /** The hashes of everything that passed; call once, after the stream finished. */
  result(): Promise<{ size: number; md5: string; crc32c: string }> {
    return this.#hash.result();
  }
}
