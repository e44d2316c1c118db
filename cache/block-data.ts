// The bytes of one cached block: one Buffer, or the chunks it arrived in from the network, kept as they
// are. A block assembled from a download is stored as its parts, so filling the cache neither copies every
// byte nor allocates a fresh block-sized buffer per block (both showed in CPU profiles of cold reads, the
// allocations as garbage-collector time). Readers copy their range straight out of the parts. Parts are
// views of the response's own buffers and are never written to. Pure helpers, no state.

export type BlockData = Buffer | readonly Buffer[];

export function blockDataLength(data: BlockData): number {
  if (Buffer.isBuffer(data)) return data.length;
  let n = 0;
  for (const part of data as readonly Buffer[]) n += part.length;
  return n;
}

/** Copies the block's bytes [from, to) into `into` at `targetStart`; returns the bytes copied. */
export function copyBlockData(
  data: BlockData,
  into: Buffer,
  targetStart: number,
  from: number,
  to: number,
): number {
  if (Buffer.isBuffer(data)) return data.copy(into, targetStart, from, Math.min(to, data.length));
  let copied = 0;
  let at = 0;
  for (const part of data as readonly Buffer[]) {
    const end = at + part.length;
    if (end > from && at < to) {
      copied += part.copy(into, targetStart + copied, Math.max(from, at) - at, Math.min(to, end) - at);
    }
    at = end;
    if (at >= to) break;
  }
  return copied;
}

/** The block as one Buffer (copies parts: for the disk cache and callers that need contiguous bytes). */
export function blockDataBuffer(data: BlockData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  const parts = data as readonly Buffer[];
  if (parts.length === 1 && parts[0]) return parts[0];
  return Buffer.concat(parts, blockDataLength(parts));
}
