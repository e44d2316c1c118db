// Computes the hashes the service reports (MD5 and CRC32C, base64) while bytes stream past, so a body is
// never read twice and never buffered whole.

import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32c } from '@node-rs/crc32';

export function crc32cBase64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
}

/** A pass-through that hashes and counts what flows through it. */
export class HashingStream extends Transform {
  #md5: Hash = createHash('md5');
  #crc = 0;
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#md5.update(chunk);
    this.#crc = crc32c(chunk, this.#crc);
    this.size += chunk.length;
    done(null, chunk);
  }

  result(): { size: number; md5: string; crc32c: string } {
    return { size: this.size, md5: this.#md5.digest('base64'), crc32c: crc32cBase64(this.#crc) };
  }
}
