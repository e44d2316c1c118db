// A queue retry that meets a 412 after an attempt whose outcome was unknown (the client gave up on a lost
// answer, a reset, a 5xx): that earlier attempt may have stored the object, which moved the generation
// the retry is conditioned on. One HEAD settles it: the live object is ours when its CRC32C and MD5 are
// those of the staged bytes, its generation is not the base, and it carries the metadata we sent (the
// mtime key among it). Then the retry is a success, not a conflict. The storage client does the same
// within one call (storage/client/uploads.ts); this covers the retry the queue adds on top.

import type { StorageBackend, UploadSource } from '../../storage/backend.js';
import { createHasher } from '../../storage/checksums.js';
import type { ObjectMeta } from '../../storage/types.js';
import type { UploadPlan } from './write-back.js';

export async function adoptIfOurs(
  backend: StorageBackend,
  plan: UploadPlan,
  source: Exclude<UploadSource, Buffer>,
): Promise<ObjectMeta | undefined> {
  try {
    const live = await backend.statObject(plan.bucket, plan.key);
    if (live.size !== source.size || live.generation === plan.ifGenerationMatch) return undefined;
    const sent = Object.entries(plan.writable.metadata);
    if (!sent.every(([k, v]) => live.metadata[k.toLowerCase()] === v)) return undefined;
    const hasher = createHasher();
    for await (const chunk of source.open(0) as AsyncIterable<Buffer>) hasher.update(chunk);
    const mine = hasher.digest();
    if (live.crc32c === undefined && live.md5 === undefined) return undefined;
    if (live.crc32c !== undefined && live.crc32c !== mine.crc32c) return undefined;
    if (live.md5 !== undefined && live.md5 !== mine.md5) return undefined;
    return live;
  } catch {
    return undefined;
  }
}
