// A directory that exists only because of its children (implicit) would vanish with its last child; a
// local directory does not, so after every removal (unlink, rename away) a marker object keeps it, and
// rm -r then rmdirs it as usual.

import { isStorageError } from '../../storage/errors.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { Writer } from '../write/writer.js';

export interface KeepParentDeps {
  backend: StorageBackend;
  writer: Writer;
  /** The folder a mount is limited to (--only-dir): the mount root, never marked. */
  onlyDir: string;
}

export async function keepParent(d: KeepParentDeps, bucket: string, key: string): Promise<void> {
  const slash = key.lastIndexOf('/');
  if (slash < 0 || key.slice(0, slash + 1) === d.onlyDir) return;
  const parent = key.slice(0, slash + 1);
  const page = await d.backend.listPage(bucket, { prefix: parent, pageSize: 1 });
  if (page.objects.length > 0 || page.prefixes.length > 0) return;
  if (d.writer.under(bucket, parent).length > 0) return;
  await d.backend
    .writeObject(bucket, parent, Buffer.alloc(0), { ifGenerationMatch: '0' })
    .catch((err: unknown) => {
      if (!isStorageError(err, 'precondition-failed')) throw err;
    });
}
