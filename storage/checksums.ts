// Content checksums as GCS speaks them: CRC32C (Castagnoli, 4 bytes big-endian, base64) and MD5 (base64),
// computed incrementally over streamed chunks, plus the `x-goog-hash` header in both of its wire forms.
// No I/O and no HTTP here; the client decides when to verify. CRC32C comes from @node-rs/crc32 (SIMD),
// whose crc32c(data, previous) continues a running checksum, so hashing never needs the whole body.

import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { crc32c as crc32cUpdate } from '@node-rs/crc32';
import { StorageError } from './errors.js';

export interface ObjectHashes {
  /** base64 big-endian CRC32C */
  crc32c?: string;
  /** base64 MD5 */
  md5?: string;
}

/** Formats a CRC32C value as GCS does: 4 bytes big-endian, base64. */
export function crc32cToBase64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
}

/** The inverse of crc32cToBase64; undefined when the text is not 4 base64 bytes. */
export function crc32cFromBase64(text: string): number | undefined {
  const b = Buffer.from(text, 'base64');
  return b.length === 4 && b.toString('base64') === text ? b.readUInt32BE() : undefined;
}

/** Accumulates CRC32C (and MD5 unless disabled) over chunks fed in order. */
export class Hasher {
  #crc = 0;
  #md5: Hash | undefined;
  #bytes = 0;

  constructor(options: { md5?: boolean } = {}) {
    this.#md5 = options.md5 === false ? undefined : createHash('md5');
  }

  update(chunk: Uint8Array): this {
    this.#crc = crc32cUpdate(chunk, this.#crc);
    this.#md5?.update(chunk);
    this.#bytes += chunk.length;
    return this;
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The CRC32C so far (it can be read at any point and hashing can go on). */
  get crc32c(): string {
    return crc32cToBase64(this.#crc);
  }

  /** Final hashes; MD5 can be finalized only once, so call this at the end. */
  digest(): ObjectHashes {
    const out: ObjectHashes = { crc32c: this.crc32c };
    if (this.#md5 !== undefined) {
      out.md5 = this.#md5.digest('base64');
      this.#md5 = undefined;
    }
    return out;
  }
}

export function createHasher(options: { md5?: boolean } = {}): Hasher {
  return new Hasher(options);
}

/** One-shot hashes of a whole buffer. */
export function hashBuffer(data: Uint8Array, options: { md5?: boolean } = {}): ObjectHashes {
  return new Hasher(options).update(data).digest();
}

/** Throws StorageError('integrity') if a hash present on both sides differs. Hashes only one side has are
 *  not compared (composite objects have no MD5; a partial read has nothing to compare). */
export function verifyHashes(actual: ObjectHashes, expected: ObjectHashes, what = 'content'): void {
  for (const alg of ['crc32c', 'md5'] as const) {
    const a = actual[alg];
    const e = expected[alg];
    if (a !== undefined && e !== undefined && a !== e) {
      throw new StorageError('integrity', `${what}: ${alg} mismatch (expected ${e}, computed ${a})`);
    }
  }
}

/** A pass-through stream that hashes what flows through; with `expected`, it fails the stream with
 *  'integrity' at the end instead of letting a corrupt body finish cleanly. */
export class HashingStream extends Transform {
  readonly hasher: Hasher;
  #expected: ObjectHashes | undefined;
  #result: ObjectHashes | undefined;

  constructor(options: { md5?: boolean; expected?: ObjectHashes } = {}) {
    super();
    const md5 = options.md5 ?? options.expected?.md5 !== undefined;
    this.hasher = new Hasher({ md5 });
    this.#expected = options.expected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hasher.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#result = this.hasher.digest();
    try {
      if (this.#expected !== undefined) verifyHashes(this.#result, this.#expected);
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  /** The hashes of everything that passed, once the stream has ended. */
  get result(): ObjectHashes | undefined {
    return this.#result;
  }
}

/** Parses `x-goog-hash`, given as repeated headers (an array) or comma-joined, in any order. Unknown
 *  algorithms are ignored; a value is split at the first `=` only, since base64 ends in `=`. */
export function parseGoogHash(header: string | readonly string[] | null | undefined): ObjectHashes {
  const out: ObjectHashes = {};
  if (header === null || header === undefined) return out;
  const parts = (typeof header === 'string' ? [header] : header).flatMap((h) => h.split(','));
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const alg = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (value === '') continue;
    if (alg === 'crc32c') out.crc32c = value;
    else if (alg === 'md5') out.md5 = value;
  }
  return out;
}

/** `crc32c=…,md5=…` (the comma-joined form, accepted everywhere a single header is sent). */
export function formatGoogHash(hashes: ObjectHashes): string {
  const parts: string[] = [];
  if (hashes.crc32c !== undefined) parts.push(`crc32c=${hashes.crc32c}`);
  if (hashes.md5 !== undefined) parts.push(`md5=${hashes.md5}`);
  return parts.join(',');
}

/** Hex MD5 (as in a simple object's ETag) from the base64 form. */
export function md5Hex(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}
