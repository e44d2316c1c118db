// Reads an UploadSource (a Buffer, or {size, open(offset)}) at arbitrary offsets for uploads that may have
// to resend: a Buffer is sliced without copying; a stream source is read forward and reopened at the wanted
// offset when an upload rewinds (the server persisted less than was sent). It hashes every byte once, in
// order, the first time it is read, so the whole-object crc32c/md5 come out of a single pass.

import type { Readable } from 'node:stream';
import type { UploadSource } from '../backend.js';
import { Hasher } from '../checksums.js';
import type { ObjectHashes } from '../checksums.js';
import { StorageError } from '../errors.js';

export function sourceSize(source: UploadSource): number {
  return Buffer.isBuffer(source) ? source.length : source.size;
}

function aborted(signal: AbortSignal): StorageError {
  return new StorageError('aborted', 'upload aborted', { cause: signal.reason });
}

/** A source that stalls must not hold an aborted upload forever. */
async function nextOrAbort(
  iterator: AsyncIterator<unknown>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<unknown>> {
  if (signal === undefined) return iterator.next();
  if (signal.aborted) throw aborted(signal);
  let onAbort: (() => void) | undefined;
  const abort = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(aborted(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([iterator.next(), abort]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

export class SourceReader {
  readonly size: number;
  readonly #source: UploadSource;
  readonly #hasher = new Hasher({ md5: false }); // CRC32C only: see uploads.ts
  #hashed = 0;
  #digest: ObjectHashes | undefined;
  #stream: Readable | undefined;
  #iterator: AsyncIterator<unknown> | undefined;
  #pos = 0;
  #leftover: Buffer = Buffer.alloc(0);

  constructor(source: UploadSource) {
    this.#source = source;
    this.size = sourceSize(source);
  }

  /** `length` bytes at `offset` (less only at the end of the source). */
  async readAt(offset: number, length: number, signal?: AbortSignal): Promise<Buffer> {
    if (signal?.aborted === true) throw aborted(signal);
    const want = Math.max(0, Math.min(length, this.size - offset));
    const bytes = Buffer.isBuffer(this.#source)
      ? this.#source.subarray(offset, offset + want)
      : await this.#streamRead(this.#source, offset, want, signal);
    this.#hash(offset, bytes);
    return bytes;
  }

  #hash(offset: number, bytes: Buffer): void {
    const end = offset + bytes.length;
    if (end <= this.#hashed || offset > this.#hashed) return;
    this.#hasher.update(bytes.subarray(this.#hashed - offset));
    this.#hashed = end;
  }

  /** Hashes a Buffer source ahead, up to `upTo`, while a request is in flight (the socket write proceeds
   *  in libuv, so this overlaps instead of adding to each round trip). Stream sources hash as they read. */
  warm(upTo: number): void {
    if (!Buffer.isBuffer(this.#source)) return;
    const end = Math.min(upTo, this.size);
    if (end > this.#hashed) this.#hash(this.#hashed, this.#source.subarray(this.#hashed, end));
  }

  /** The whole source's hashes, once every byte has been read. */
  digest(): ObjectHashes | undefined {
    if (this.#hashed !== this.size) return undefined;
    this.#digest ??= this.#hasher.digest();
    return this.#digest;
  }

  async #streamRead(
    source: Exclude<UploadSource, Buffer>,
    offset: number,
    want: number,
    signal: AbortSignal | undefined,
  ): Promise<Buffer> {
    if (this.#iterator === undefined || offset !== this.#pos) {
      this.close();
      this.#stream = source.open(offset);
      this.#iterator = this.#stream[Symbol.asyncIterator]();
      this.#pos = offset;
    }
    const parts: Buffer[] = [];
    let have = 0;
    if (this.#leftover.length > 0) {
      const take = this.#leftover.subarray(0, want);
      parts.push(take);
      have = take.length;
      this.#leftover = this.#leftover.subarray(take.length);
    }
    while (have < want) {
      const next = await nextOrAbort(this.#iterator, signal);
      if (next.done === true) {
        throw new StorageError(
          'invalid-argument',
          `upload source ended at ${this.#pos + have} of ${this.size} bytes`,
        );
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
      const take = chunk.subarray(0, want - have);
      parts.push(take);
      have += take.length;
      if (take.length < chunk.length) this.#leftover = chunk.subarray(take.length);
    }
    this.#pos += want;
    return parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts, want);
  }

  close(): void {
    this.#stream?.destroy();
    this.#stream = undefined;
    this.#iterator = undefined;
    this.#leftover = Buffer.alloc(0);
  }
}
