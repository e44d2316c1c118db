// The bytes of one prefetch run, kept as the chunks they arrived in (never concatenated): a read copies
// exactly its range out of them, once, straight into the kernel's buffer. Chunks are contiguous and in
// order; the list finds a range's first chunk by binary search and drops whole chunks from the front as
// the reader passes them. Each chunk remembers whether it holds a budget reservation, so whoever drops it
// knows how many bytes to give back. Owns no I/O and no budget.

import { partitionPoint } from '../../common/partition-point.js';

interface Chunk {
  offset: number;
  data: Buffer;
  reserved: boolean;
}

export class ChunkList {
  #chunks: Chunk[] = [];
  /** Index of the first live chunk (dropped chunks are compacted away in batches). */
  #head = 0;
  #end: number;
  #bytes = 0;

  /** An empty list whose first chunk will start at `offset`. */
  constructor(offset: number) {
    this.#end = offset;
  }

  /** Absolute offset of the first byte held (`end` when empty). */
  get start(): number {
    return this.#chunks[this.#head]?.offset ?? this.#end;
  }

  /** One past the last byte held (or appended and since dropped). */
  get end(): number {
    return this.#end;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Appends the bytes that follow `end`. */
  push(data: Buffer, reserved: boolean): void {
    if (data.length === 0) return;
    this.#chunks.push({ offset: this.#end, data, reserved });
    this.#end += data.length;
    this.#bytes += data.length;
  }

  /** Copies the held part of [offset, end) into `into` from its start; returns the bytes copied. */
  copy(into: Buffer, offset: number, end: number): number {
    let copied = 0;
    for (let i = this.#find(offset); i < this.#chunks.length; i++) {
      const c = this.#chunks[i];
      if (!c || c.offset >= end) break;
      const cEnd = c.offset + c.data.length;
      const from = Math.max(offset, c.offset) - c.offset;
      const to = Math.min(end, cEnd) - c.offset;
      if (to > from) copied += c.data.copy(into, copied, from, to);
    }
    return copied;
  }

  /** Drops the chunks wholly before `offset`; returns how many of their bytes were reserved. */
  dropBefore(offset: number): number {
    let reserved = 0;
    while (this.#head < this.#chunks.length) {
      const c = this.#chunks[this.#head];
      if (!c || c.offset + c.data.length > offset) break;
      this.#head++;
      this.#bytes -= c.data.length;
      if (c.reserved) reserved += c.data.length;
    }
    if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
    return reserved;
  }

  /** Drops everything; returns how many of the bytes were reserved. */
  clear(): number {
    const reserved = this.dropBefore(Number.POSITIVE_INFINITY);
    this.#chunks = [];
    this.#head = 0;
    return reserved;
  }

  /** Index of the first live chunk that ends after `offset`. */
  #find(offset: number): number {
    const chunks = this.#chunks;
    return partitionPoint(this.#head, chunks.length, (i) => {
      const c = chunks[i];
      return c !== undefined && c.offset + c.data.length <= offset;
    });
  }
}
