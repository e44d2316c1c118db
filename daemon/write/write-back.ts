// Write-back of one pending object: uploads its staged bytes whole, conditioned on the generation they
// replace ('0' for a new file), so a concurrent writer elsewhere is never silently overwritten (412 ->
// ESTALE, and the local bytes are kept). Metadata and POSIX attributes of the base object carry over;
// attributes set while pending are written with it; the mtime is the last local change (or what utimens
// set). The plan is what the journal records, so a replay after a crash uploads exactly the same.

import type { Logger } from '../../common/logger.js';
import type { ResumableHooks, StorageBackend, UploadSource } from '../../storage/backend.js';
import { isStorageError } from '../../storage/errors.js';
import type { ObjectMeta, WritableMetadata } from '../../storage/types.js';
import { writableOf } from '../../storage/writable-metadata.js';
import { writePosix } from '../posix/attrs.js';
import { contentTypeFor } from './content-type.js';
import type { PendingObject } from './pending-object.js';

export interface UploadPlan {
  bucket: string;
  key: string;
  ifGenerationMatch: string;
  writable: WritableMetadata & { metadata: Record<string, string> };
}

export function uploadPlan(entry: PendingObject): UploadPlan {
  const base =
    entry.meta && entry.base !== '0'
      ? writableOf(entry.meta)
      : { metadata: { ...(entry.meta?.metadata ?? {}) } };
  const metadata = writePosix(base.metadata, {
    ...entry.posix,
    mtime: entry.posix.mtime ?? entry.mtime.getTime() / 1000,
  });
  // A type set with setfattr is on the base by now (a metadata change uploads pending bytes first).
  const contentType = contentTypeFor(entry.key, undefined, entry.meta?.contentType);
  return {
    bucket: entry.bucket,
    key: entry.key,
    ifGenerationMatch: entry.base,
    writable: { ...base, contentType, metadata },
  };
}

export async function upload(
  backend: StorageBackend,
  plan: UploadPlan,
  source: UploadSource,
  logger: Logger,
  /** A large upload's session: resumed from an earlier attempt, and reported as it confirms bytes. */
  resumable?: ResumableHooks,
): Promise<ObjectMeta> {
  // No fsync here: the upload reads the file through the page cache.
  // A duration, not a time of day: the monotonic clock, which no test needs to drive.
  const started = performance.now();
  const meta = await backend.writeObject(plan.bucket, plan.key, source, {
    ...plan.writable,
    ifGenerationMatch: plan.ifGenerationMatch,
    ...(resumable ? { resumable } : {}),
  });
  logger.debug('uploaded', {
    object: `gs://${plan.bucket}/${plan.key}`,
    bytes: meta.size,
    ms: Math.round(performance.now() - started),
  });
  return meta;
}

/** The object an upload made carries `sent` (the metadata its session was started with); when the plan
 *  says otherwise (the mtime of writes made after a stream started, a chmod or utimens), the plan's is
 *  set, only over that generation. A 412 means someone else wrote the object since: the caller's
 *  conflict. Another failure leaves the bytes stored: a whole upload over exactly that generation gets
 *  the metadata right. */
export async function withPlanMetadata(
  backend: StorageBackend,
  plan: UploadPlan,
  sent: UploadPlan['writable'],
  meta: ObjectMeta,
  source: () => UploadSource,
  logger: Logger,
): Promise<ObjectMeta> {
  if (sent === plan.writable || sameWritable(sent, plan.writable)) return meta;
  try {
    return await backend.updateObjectMetadata(plan.bucket, plan.key, plan.writable, {
      ifGenerationMatch: meta.generation,
    });
  } catch (err) {
    if (isStorageError(err, 'precondition-failed')) throw err;
    return upload(backend, { ...plan, ifGenerationMatch: meta.generation }, source(), logger);
  }
}

/** Whether two uploads would set the same metadata (key order aside). */
export function sameWritable(a: UploadPlan['writable'], b: UploadPlan['writable']): boolean {
  const sorted = (o: object): Record<string, unknown> =>
    Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  // JSON drops properties set to undefined, as an upload's headers would.
  const canon = (w: UploadPlan['writable']): string =>
    JSON.stringify(sorted({ ...w, metadata: sorted(w.metadata) }));
  return canon(a) === canon(b);
}
