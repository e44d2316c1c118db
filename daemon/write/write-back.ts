// Write-back of one handle: uploads its staging file whole, conditioned on the generation the handle is
// based on ('0' for a new file), so a concurrent writer elsewhere is never silently overwritten (412 ->
// ESTALE, and the local bytes are kept). Metadata and POSIX attributes of the previous version carry over;
// the file's mtime becomes now.

import type { Logger } from '../../common/logger.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { ObjectMeta } from '../../storage/types.js';
import type { Handle } from '../fs/handles.js';
import { writableOf } from '../fs/metadata-update.js';
import { writePosix } from '../fs/posix-attrs.js';

export async function uploadHandle(backend: StorageBackend, h: Handle, logger: Logger): Promise<ObjectMeta> {
  const staging = h.staging;
  if (!staging) throw new Error('write-back: handle has no staging file');
  // No fsync here: the upload reads the file through the page cache, and staged files are not replayed
  // after a crash (yet), so forcing them to disk would only cost a disk flush per close.
  const base =
    h.meta && h.meta.generation !== '0' ? writableOf(h.meta) : { metadata: { ...(h.meta?.metadata ?? {}) } };
  const metadata = writePosix(base.metadata, {
    ...(h.createMode === undefined ? {} : { mode: h.createMode }),
    mtime: Date.now() / 1000,
  });
  const started = Date.now();
  const meta = await backend.writeObject(h.bucket, h.key, staging.source(), {
    ...base,
    metadata,
    ifGenerationMatch: h.generation,
  });
  logger.debug('uploaded', {
    object: `gs://${h.bucket}/${h.key}`,
    bytes: meta.size,
    ms: Date.now() - started,
  });
  return meta;
}
