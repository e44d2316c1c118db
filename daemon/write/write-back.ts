// Write-back of one pending object: uploads its staged bytes whole, conditioned on the generation they
// replace ('0' for a new file), so a concurrent writer elsewhere is never silently overwritten (412 ->
// ESTALE, and the local bytes are kept). Metadata and POSIX attributes of the base object carry over;
// attributes set while pending are written with it; the mtime is the last local change (or what utimens set).

import type { Logger } from '../../common/logger.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { ObjectMeta } from '../../storage/types.js';
import { writableOf } from '../../storage/writable-metadata.js';
import { writePosix } from '../fs/posix-attrs.js';
import type { PendingObject } from './pending-object.js';
import type { StagingFile } from './staging-file.js';

export async function uploadPending(
  backend: StorageBackend,
  entry: PendingObject,
  staging: StagingFile,
  logger: Logger,
): Promise<ObjectMeta> {
  // No fsync here: the upload reads the file through the page cache.
  const base =
    entry.meta && entry.base !== '0'
      ? writableOf(entry.meta)
      : { metadata: { ...(entry.meta?.metadata ?? {}) } };
  const metadata = writePosix(base.metadata, {
    ...entry.posix,
    mtime: entry.posix.mtime ?? entry.mtime.getTime() / 1000,
  });
  const started = Date.now();
  const meta = await backend.writeObject(entry.bucket, entry.key, staging.source(), {
    ...base,
    metadata,
    ifGenerationMatch: entry.base,
  });
  logger.debug('uploaded', {
    object: `gs://${entry.bucket}/${entry.key}`,
    bytes: meta.size,
    ms: Date.now() - started,
  });
  return meta;
}
