// Write-back of one pending object: uploads its staged bytes whole, conditioned on the generation they
// replace ('0' for a new file), so a concurrent writer elsewhere is never silently overwritten (412 ->
// ESTALE, and the local bytes are kept). Metadata and POSIX attributes of the base object carry over;
// attributes set while pending are written with it; the mtime is the last local change (or what utimens
// set). The plan is what the journal records, so a replay after a crash uploads exactly the same.

import type { Logger } from '../../common/logger.js';
import type { ResumableHooks, StorageBackend, UploadSource } from '../../storage/backend.js';
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
