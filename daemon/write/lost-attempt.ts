// A queue retry that meets a 412 after an attempt whose outcome was unknown (the client gave up on a lost
// answer, a reset, a 5xx): that earlier attempt may have stored the object, which moved the generation
// the retry is conditioned on. One HEAD settles it, by the rule the storage client applies within one
// call (storage/own-write.ts: the staged bytes' hashes, not the base generation, the metadata we sent).
// Then the retry is a success, not a conflict; this covers the retry the queue adds on top.

import type { StorageBackend, UploadSource } from '../../storage/backend.js';
import { createHasher } from '../../storage/checksums.js';
import { isOwnWrite } from '../../storage/own-write.js';
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
    const hasher = createHasher({ md5: false });
    for await (const chunk of source.open(0) as AsyncIterable<Buffer>) hasher.update(chunk);
    const sent = { ifGenerationMatch: plan.ifGenerationMatch, metadata: plan.writable.metadata };
    if (!isOwnWrite(live, hasher.digest(), sent)) return undefined;
    return live;
  } catch {
    return undefined;
  }
}
