// Whether the live object is the one a write of ours stored, though its answer was lost: the crc32c (and
// md5, when both sides have one) of the bytes we sent, a generation other than the one the precondition
// named (any, for '0'), and the custom metadata we sent (the mount's include its mtime). Someone else
// storing the very same bytes and metadata at that moment cannot be told apart, and is harmless: the name
// holds what we meant to store. Without a precondition, an object that held those bytes before our
// request arrived cannot be told apart either, and is accepted for the same reason. One rule for the
// storage client's own retries (storage/client/uploads.ts) and the mount's upload queue retrying on top
// (daemon/write/lost-attempt.ts).

import type { ObjectHashes } from './checksums.js';
import type { ObjectMeta } from './types.js';

export interface WriteSent {
  ifGenerationMatch?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export function isOwnWrite(live: ObjectMeta, hashes: ObjectHashes, sent: WriteSent): boolean {
  if (hashes.crc32c === undefined || live.crc32c !== hashes.crc32c) return false;
  if (hashes.md5 !== undefined && live.md5 !== undefined && live.md5 !== hashes.md5) return false;
  if (sent.ifGenerationMatch !== undefined && live.generation === sent.ifGenerationMatch) return false;
  return Object.entries(sent.metadata ?? {}).every(([k, v]) => live.metadata[k.toLowerCase()] === v);
}
