// How many bytes the disk content cache may take: what was asked for, but never more than half of the
// space free on the cache dir's file system when the mount starts. The other half stays for staged writes
// (a full disk must fail a cache write, which is soft, long before it fails a user's write) and for
// everything else on that disk. Decided once at start: the cache's own bound is hard (disk-blocks.ts).

import { statfs } from 'node:fs/promises';

/** Share of the free space the cache may take. */
export const DISK_CACHE_SHARE_OF_FREE = 0.5;

export interface DiskRoom {
  /** The bound to use. */
  bytes: number;
  /** Free bytes seen, when the bound was cut to a share of them. */
  cutFrom?: number;
}

/** The disk cache's bound for `dir` (which exists); `wanted` itself if the free space cannot be read. */
export async function diskCacheRoom(
  dir: string,
  wanted: number,
  freeBytes: (dir: string) => Promise<number> = async (d) => {
    const s = await statfs(d);
    return s.bavail * s.bsize;
  },
): Promise<DiskRoom> {
  const free = await freeBytes(dir).catch(() => undefined);
  if (free === undefined) return { bytes: wanted };
  const share = Math.floor(free * DISK_CACHE_SHARE_OF_FREE);
  return share < wanted ? { bytes: share, cutFrom: free } : { bytes: wanted };
}
