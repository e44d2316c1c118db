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

/** A pass-through that hashes and counts what flows through it. */
export class HashingStream extends Transform {
  #md5 = new Md5Job();
  #crc = 0;
  #ended = false;
  #batch: Buffer[] = [];
  #batched = 0;
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#crc = crc32c(chunk, this.#crc);
    this.size += chunk.length;
    this.#batch.push(chunk);
    this.#batched += chunk.length;
    if (this.#batched < BATCH) {
      done(null, chunk);
      return;
    }
    this.#send().then(
      () => done(null, chunk),
      (e: unknown) => done(e as Error),
    );
  }

  override _flush(done: TransformCallback): void {
    this.#ended = true;
    this.#send().then(
      () => done(),
      (e: unknown) => done(e as Error),
    );
  }

  /** One copy into a buffer of our own, whose memory then moves to the worker without another. */
  #send(): Promise<void> {
    if (this.#batched === 0) return Promise.resolve();
    const own = Buffer.allocUnsafeSlow(this.#batched);
    let at = 0;
    for (const piece of this.#batch) at += piece.copy(own, at);
    this.#batch = [];
    this.#batched = 0;
    return this.#md5.update(own);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    // Destroyed before the end (the upload failed): nobody will ask for this digest.
    if (!this.#ended) this.#md5.drop();
    done(error);
  }

  /** The hashes of everything that passed; call once, after the stream finished. */
  async result(): Promise<{ size: number; md5: string; crc32c: string }> {
    return { size: this.size, md5: await this.#md5.digest(), crc32c: crc32cBase64(this.#crc) };
  }
}
