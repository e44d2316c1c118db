// Blobs held in memory: the default store, fast and gone on exit. Buffers are never mutated, so a clone can
// share its source's buffer.

import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { eachAfterSkip, type AppendableBlob, type BlobStore, type HashOptions } from './blob-store.js';
import { HashingStream } from './hashing.js';
import type { BlobInfo } from './records.js';

export class MemoryBlobs implements BlobStore {
  readonly #blobs = new Map<string, Buffer>();

  appendable(): Promise<AppendableBlob> {
    return Promise.resolve(
      new MemoryAppendable((data) => {
        const id = randomUUID();
        this.#blobs.set(id, data);
        return id;
      }),
    );
  }

  async write(body: Readable, options: HashOptions = {}): Promise<BlobInfo> {
    const hasher = new HashingStream({ md5: options.md5 !== false && options.known === undefined });
    const chunks: Buffer[] = [];
    await pipeline(body, hasher, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) chunks.push(chunk);
    });
    const id = randomUUID();
    this.#blobs.set(id, Buffer.concat(chunks));
    return { id, ...(await hasher.result()), ...options.known };
  }

  async concat(ids: readonly string[], options: HashOptions = {}): Promise<BlobInfo> {
    if (options.known) {
      // Nothing to hash: one copy, no stream.
      const id = randomUUID();
      const data = Buffer.concat(ids.map((i) => this.#get(i)));
      this.#blobs.set(id, data);
      return { id, size: data.length, ...options.known };
    }
    return this.write(Readable.from(ids.map((id) => this.#get(id))), options);
  }

  clone(id: string): Promise<string> {
    const copy = randomUUID();
    this.#blobs.set(copy, this.#get(id));
    return Promise.resolve(copy);
  }

  read(id: string, start: number, end: number): Promise<Readable> {
    const data = this.#get(id).subarray(start, end);
    // Serve in 64 KiB pieces so bandwidth shaping and resets act mid-body as they would on a socket.
    const pieces: Buffer[] = [];
    for (let o = 0; o < data.length; o += 65536) pieces.push(data.subarray(o, o + 65536));
    return Promise.resolve(Readable.from(pieces));
  }

  remove(id: string): Promise<void> {
    this.#blobs.delete(id);
    return Promise.resolve();
  }

  #get(id: string): Buffer {
    const b = this.#blobs.get(id);
    if (!b) throw new Error(`emulator: missing blob ${id}`);
    return b;
  }
}

/** Chunks kept as they arrived; a write at `at` first cuts the list back to `at`. */
class MemoryAppendable implements AppendableBlob {
  #parts: Buffer[] = [];
  #length = 0;
  readonly #publish: (data: Buffer) => string;

  constructor(publish: (data: Buffer) => string) {
    this.#publish = publish;
  }

  async write(
    body: Readable,
    at: number,
    skip: number,
    tap?: (piece: Buffer) => Promise<void>,
  ): Promise<number> {
    this.#cut(at);
    return eachAfterSkip(body, skip, async (chunk) => {
      await tap?.(chunk);
      this.#parts.push(chunk);
      this.#length += chunk.length;
    });
  }

  read(start: number, end: number): Promise<Readable> {
    const pieces: Buffer[] = [];
    let at = 0;
    for (const part of this.#parts) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + part.length);
      if (to > from) pieces.push(part.subarray(from - at, to - at));
      at += part.length;
      if (at >= end) break;
    }
    return Promise.resolve(Readable.from(pieces));
  }

  commit(size: number, hashes: { md5: string; crc32c: string }): Promise<BlobInfo> {
    const data = Buffer.concat(this.#parts).subarray(0, size);
    this.#parts = [];
    this.#length = 0;
    return Promise.resolve({ id: this.#publish(data), size: data.length, ...hashes });
  }

  discard(): Promise<void> {
    this.#parts = [];
    this.#length = 0;
    return Promise.resolve();
  }

  /** Drops what is held at and past `at` (a chunk that rewrites the tail of the last one). */
  #cut(at: number): void {
    if (at >= this.#length) return;
    const kept: Buffer[] = [];
    let held = 0;
    for (const part of this.#parts) {
      if (held >= at) break;
      const piece = part.subarray(0, Math.min(part.length, at - held));
      kept.push(piece);
      held += piece.length;
    }
    this.#parts = kept;
    this.#length = held;
  }
}
