// The drain of a clean stop: first close the door (new creates and opens for write, and path truncates,
// fail with EROFS, so no new staged data starts), then upload every dirty handle, again while writes to
// already-open files keep dirtying handles, and log each object drained or kept. It does not bound the
// time (signals.ts races it against the drain timeout) and does not unmount.

import type { Logger } from '../../common/logger.js';
import { FsError } from '../fs/errors.js';
import type { Filesystem } from '../fs/filesystem.js';

const O_ACCMODE = 3;
const O_RDONLY = 0;

export interface DrainResult {
  uploaded: number;
  failed: string[];
}

/** Makes `fs` refuse new staged writes from now on. Patches the instance: the FUSE adapter calls these. */
export function closeForWrites(fs: Filesystem): void {
  const refuse = (): Promise<never> =>
    Promise.reject(new FsError('read-only', 'the mount is stopping: no new writes'));
  const open = fs.open.bind(fs);
  fs.create = refuse;
  fs.open = (path, flags) => ((flags & O_ACCMODE) === O_RDONLY ? open(path, flags) : refuse());
  fs.truncate = refuse;
}

/** Dirty handles and their staged bytes (what a stop would have to upload). */
export function staged(fs: Filesystem): { object: string; bytes: number }[] {
  return fs.handles
    .all()
    .filter((h) => h.dirty)
    .map((h) => ({ object: `gs://${h.bucket}/${h.key}`, bytes: h.staging?.size ?? 0 }));
}

export async function drainStaged(fs: Filesystem, logger: Logger): Promise<DrainResult> {
  closeForWrites(fs);
  let uploaded = 0;
  let failed: string[] = [];
  for (;;) {
    const pending = staged(fs);
    if (pending.length === 0) break;
    for (const p of pending) logger.info('uploading staged file', p);
    const r = await fs.drain();
    uploaded += r.uploaded;
    failed = r.failed;
    // Another pass only when this one made progress: a file that keeps failing would loop forever.
    if (r.uploaded === 0 || staged(fs).length <= failed.length) break;
  }
  return { uploaded, failed };
}
