// A whole cached block read the way the reader reads one (daemon/read/reader.ts): memory first
// (ContentCache.memoryBlock), else the disk tier in place (readFromDisk), which never promotes it.
import { blockDataBuffer } from '../../cache/block-data.js';
import type { BlockKey } from '../../cache/block-key.js';
import type { ContentCache } from '../../cache/content-cache.js';
import type { DiskBlocks } from '../../cache/disk-blocks.js';

/** The block's `size` bytes from whichever tier holds it; undefined on a miss. */
export async function cachedBlock(
  cache: ContentCache,
  key: BlockKey,
  size: number,
): Promise<Buffer | undefined> {
  const data = cache.memoryBlock(key);
  if (data) return blockDataBuffer(data);
  const into = Buffer.alloc(size);
  return (await cache.readFromDisk(key, into, 0, 0, size)) ? into : undefined;
}

/** The block's `size` bytes from the disk tier alone; undefined on a miss (or a damaged block file). */
export async function diskBlock(disk: DiskBlocks, key: BlockKey, size: number): Promise<Buffer | undefined> {
  const into = Buffer.alloc(size);
  return (await disk.read(key, into, 0, 0, size)) ? into : undefined;
}
