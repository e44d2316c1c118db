// Computes the hashes the service reports (MD5 and CRC32C, base64) while bytes stream past, so a body is
// never read twice and never buffered whole. CRC32C runs inline (SIMD, many GB/s); MD5 runs in a worker
// thread (md5-worker.ts), since at a few hundred MB/s on the event loop it was the emulator's PUT ceiling.

import { Transform, type TransformCallback } from 'node:stream';
import { crc32c } from '@node-rs/crc32';
import { Md5Job } from './md5-worker.js';

export function crc32cBase64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
}

/** Bytes gathered before a hand-over to the MD5 worker: few messages, little memory. */
const BATCH = 1024 * 1024;

/** Hashes fed in order, possibly across many requests (a resumable session hashes each chunk it keeps, so
 *  finishing the object never reads its bytes again). `md5: false` computes CRC32C only (composite objects
 *  have no MD5, and resumable chunks get theirs from their session). */
export class RunningHash {
  readonly #md5: Md5Job | undefined;
  #crc = 0;
  #batch: Buffer[] = [];
  #batched = 0;
  size = 0;

  constructor(options: { md5?: boolean } = {}) {
    this.#md5 = options.md5 === false ? undefined : new Md5Job();
  }

  /** Resolves once the bytes are handed to the MD5 worker (it waits when the worker lags). */
  update(chunk: Buffer): Promise<void> {
    this.#crc = crc32c(chunk, this.#crc);
    this.size += chunk.length;
    if (!this.#md5) return Promise.resolve();
    this.#batch.push(chunk);
    this.#batched += chunk.length;
    return this.#batched < BATCH ? Promise.resolve() : this.#send();
  }

  /** The hashes of everything fed; call once, at the end. */
  async result(): Promise<{ size: number; md5: string; crc32c: string }> {
    await this.#send();
    return {
      size: this.size,
      md5: this.#md5 ? await this.#md5.digest() : '',
      crc32c: crc32cBase64(this.#crc),
    };
  }

  /** Given up before the end: nobody will ask for this digest. */
  drop(): void {
    this.#md5?.drop();
  }

  /** One copy into a buffer of our own, whose memory then moves to the worker without another. */
  #send(): Promise<void> {
    if (this.#batched === 0 || !this.#md5) return Promise.resolve();
    const own = Buffer.allocUnsafeSlow(this.#batched);
    let at = 0;
    for (const piece of this.#batch) at += piece.copy(own, at);
    this.#batch = [];
    this.#batched = 0;
    return this.#md5.update(own);
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
