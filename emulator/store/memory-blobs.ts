// Blobs held in memory: the default store, fast and gone on exit. A blob is the list of buffers its bytes
// arrived in, never concatenated: joining a 1 GiB upload's 16,000 chunks into one fresh buffer took ~4 s
// of the emulator's CPU on a VM that pays for the first touch of new memory, and made the emulator the
// ceiling of a large write. Buffers are never mutated, so a clone or a compose shares its sources' parts.

import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { eachAfterSkip, type AppendableBlob, type BlobStore, type HashOptions } from './blob-store.js';
import { RunningHash } from './hashing.js';
import type { BlobInfo } from './records.js';
import { partitionPoint } from '../../common/partition-point.js';

type Parts = readonly Buffer[];

/** A stored blob: its parts and where each ends, so a ranged read finds its first part by binary search
 *  (a 4 KiB read of a 1 GiB blob would otherwise walk thousands of parts). */
class Stored {
  readonly ends: number[];

  constructor(readonly parts: Parts) {
    let at = 0;
    this.ends = parts.map((p) => (at += p.length));
  }

  get size(): number {
    return this.ends.at(-1) ?? 0;
  }

  /** Views of bytes [start, end), none longer than `piece`. */
  slice(start: number, end: number, piece: number): Buffer[] {
    const ends = this.ends;
    const lo = partitionPoint(0, ends.length, (i) => (ends[i] ?? 0) <= start);
    const first = this.parts[lo];
    return slice(this.parts, start, end, piece, lo, (ends[lo] ?? 0) - (first?.length ?? 0));
  }
}

/** Pieces served by read(): 64 KiB, so bandwidth shaping and resets act mid-body as on a socket. */
const PIECE = 65536;

export class MemoryBlobs implements BlobStore {
  readonly #blobs = new Map<string, Stored>();

  appendable(): Promise<AppendableBlob> {
    return Promise.resolve(
      new MemoryAppendable((data) => {
        const id = randomUUID();
        this.#blobs.set(id, new Stored(data));
        return id;
      }),
    );
  }

  async write(body: Readable, options: HashOptions = {}): Promise<BlobInfo> {
    // The body read directly, not through a pipeline and a hashing Transform: for a small PUT those (the
    // pipeline's AbortController and the DOMException it makes at every finish, the extra stream) were
    // a sixth of the emulator's CPU.
    const hash = new RunningHash({ md5: options.md5 !== false && options.known === undefined });
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        await hash.update(chunk);
        chunks.push(chunk);
      }
    } catch (err) {
      hash.drop();
      throw err;
    }
    const id = randomUUID();
    // A small body's chunk may be a view of a socket read that also held headers: copied, not pinned.
    const total = partsLength(chunks);
    this.#blobs.set(id, new Stored(total < PIECE ? [Buffer.concat(chunks, total)] : chunks));
    return { id, ...(await hash.result()), ...options.known };
  }

  async concat(ids: readonly string[], options: HashOptions = {}): Promise<BlobInfo> {
    const parts = ids.flatMap((i) => this.#get(i).parts);
    if (options.known) {
      // Nothing to hash: the parts are shared, not copied.
      const id = randomUUID();
      const stored = new Stored(parts);
      this.#blobs.set(id, stored);
      return { id, size: stored.size, ...options.known };
    }
    return this.write(Readable.from(parts), options);
  }

  clone(id: string): Promise<string> {
    const copy = randomUUID();
    this.#blobs.set(copy, this.#get(id));
    return Promise.resolve(copy);
  }

  read(id: string, start: number, end: number): Promise<Readable> {
    return Promise.resolve(Readable.from(this.#get(id).slice(start, end, PIECE)));
  }

  remove(id: string): Promise<void> {
    this.#blobs.delete(id);
    return Promise.resolve();
  }

  #get(id: string): Stored {
    const b = this.#blobs.get(id);
    if (!b) throw new Error(`emulator: missing blob ${id}`);
    return b;
  }
}

/** Chunks kept as they arrived; a write at `at` first cuts the list back to `at`. */
class MemoryAppendable implements AppendableBlob {
  #parts: Buffer[] = [];
  #length = 0;
  readonly #publish: (data: Parts) => string;

  constructor(publish: (data: Parts) => string) {
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
    return Promise.resolve(Readable.from(slice(this.#parts, start, end)));
  }

  commit(size: number, hashes: { md5: string; crc32c: string }): Promise<BlobInfo> {
    const data = slice(this.#parts, 0, size);
    this.#parts = [];
    this.#length = 0;
    return Promise.resolve({ id: this.#publish(data), size: partsLength(data), ...hashes });
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

function partsLength(parts: Parts): number {
  let n = 0;
  for (const part of parts) n += part.length;
  return n;
}

/** Views of bytes [start, end) of the parts, none longer than `piece` (no copy); the walk starts at part
 *  `index`, which begins at byte `at`. */
function slice(parts: Parts, start: number, end: number, piece = Infinity, index = 0, at = 0): Buffer[] {
  const out: Buffer[] = [];
  for (let i = index; i < parts.length && at < end; i++) {
    const part = parts[i] as Buffer;
    const from = Math.max(start, at);
    const to = Math.min(end, at + part.length);
    for (let o = from; o < to; o += piece) out.push(part.subarray(o - at, Math.min(to, o + piece) - at));
    at += part.length;
  }
  return out;
}
