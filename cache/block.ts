// Pure block math for the content cache: where a block starts, how long it is, and how many an object has.
// Owns no state and no I/O; the reader and the caches share it so they agree on where blocks start. Blocks
// are fixed-size (the last one may be short) so a block index plus the object's generation names the same
// bytes forever.

/** 1 MiB: large enough that a sequential read costs few requests, small enough that a random 4 KiB read
 *  does not fetch much more than it needs. */
export const DEFAULT_BLOCK_SIZE = 1024 * 1024;

function checkBlockSize(blockSize: number): void {
  if (!Number.isSafeInteger(blockSize) || blockSize <= 0) {
    throw new RangeError(`block size must be a positive integer, got ${blockSize}`);
  }
}

function checkOffset(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

/** Absolute offset of the first byte of block `index`. */
export function blockStart(index: number, blockSize = DEFAULT_BLOCK_SIZE): number {
  checkBlockSize(blockSize);
  checkOffset('block index', index);
  return index * blockSize;
}

/** Number of blocks an object of `objectSize` bytes has (0 for an empty object). */
export function blockCount(objectSize: number, blockSize = DEFAULT_BLOCK_SIZE): number {
  checkBlockSize(blockSize);
  checkOffset('object size', objectSize);
  return Math.ceil(objectSize / blockSize);
}

/** Length in bytes of block `index` of an object of `objectSize` bytes: `blockSize`, less for the last
 *  block, 0 past the end. */
export function blockLength(index: number, objectSize: number, blockSize = DEFAULT_BLOCK_SIZE): number {
  const first = blockStart(index, blockSize);
  checkOffset('object size', objectSize);
  return Math.max(0, Math.min(blockSize, objectSize - first));
}
