// The drain of a clean stop: first close the door (new creates and opens for write, and path truncates,
// fail with EROFS, so no new staged data starts), then upload every pending change, again while writes to
// already-open files keep adding changes, and log each object drained or kept. It does not bound the
// time (signals.ts races it against the drain timeout) and does not unmount.

import type { Logger } from '../../common/logger.js';
import type { Filesystem } from '../fs/filesystem.js';

export interface DrainResult {
  uploaded: number;
  failed: string[];
}

export async function drainStaged(fs: Filesystem, logger: Logger): Promise<DrainResult> {
  fs.stopWrites();
  let uploaded = 0;
  let failed: string[] = [];
  for (;;) {
    const pending = fs.pendingUploads();
    if (pending.length === 0) break;
    for (const p of pending) logger.info('uploading staged file', { ...p });
    const r = await fs.drain();
    uploaded += r.uploaded;
    failed = r.failed;
    // Another pass only when this one made progress: a file that keeps failing would loop forever.
    if (r.uploaded === 0 || fs.pendingUploads().length <= failed.length) break;
  }
  return { uploaded, failed };
}
