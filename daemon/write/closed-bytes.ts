// A small file's staged bytes as its close reads them, once: the PUT sends them, and the `closing` record
// carries their CRC32C, so a replay uploads only the bytes that close meant. Neither that record nor the
// bytes under it is fsynced (a default close uploads before it returns), so after a power cut the record
// on disk may sit over other bytes of the same length: zeros never written back, or the next file's in a
// reused slot (spare-slots.ts) under an older record. The size check of replay.ts misses those; this does.

import { hashBuffer } from '../../storage/checksums.js';
import type { PendingObject } from './pending-object.js';
import type { StagingFile } from './staging-file.js';

/** Staged files up to this size are uploaded from memory (one PUT buffers them anyway). */
export const SMALL_UPLOAD = 1024 * 1024;

export interface ClosedBytes {
  /** The entry's version when they were read (a later write makes them stale). */
  version: number;
  bytes: Buffer;
  crc32c: string;
}

/** The entry's staged bytes and their CRC32C, read now or kept from this version's earlier read;
 *  undefined for a large file, or when a write came during the read. */
export async function closedBytes(
  entry: PendingObject,
  staging: StagingFile,
): Promise<ClosedBytes | undefined> {
  if (staging.size > SMALL_UPLOAD) return undefined;
  const version = entry.version;
  if (entry.closed?.version === version) return entry.closed;
  const bytes = await staging.bytes();
  if (entry.version !== version) return undefined;
  entry.closed = { version, bytes, crc32c: hashBuffer(bytes, { md5: false }).crc32c ?? '' };
  return entry.closed;
}

/** The CRC32C a `closing` record of the entry names: that of the bytes read for its close, if they are
 *  still its bytes. */
export function closedCrc(entry: PendingObject): string | undefined {
  return entry.closed?.version === entry.version ? entry.closed.crc32c : undefined;
}
