// The drain of a clean stop: first close the door (new creates and opens for write, and path truncates,
// fail with EROFS, so no new staged data starts), then keep for recovery what files still open for writing
// hold (they may be half-written: never uploaded as if complete; write/stop.ts), then upload every other
// pending change and wait for closes already uploading, and log each object drained or kept. It does not
// bound the time (signals.ts races it against the drain timeout) and does not unmount.

import type { Logger } from '../../common/logger.js';
import type { Filesystem } from '../fs/filesystem.js';

export interface DrainResult {
  uploaded: number;
  failed: string[];
  /** Files open for writing at the stop: kept for `gcsmount recover`, not uploaded. */
  kept: string[];
}

type DrainFs = Pick<Filesystem, 'stopWrites' | 'pendingUploads' | 'drain' | 'keepOpenWriters'>;

export async function drainStaged(fs: DrainFs, logger: Logger): Promise<DrainResult> {
  fs.stopWrites();
  const kept = await fs.keepOpenWriters();
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
  // A descriptor whose fsync was uploading when the stop began may have written again since.
  kept.push(...(await fs.keepOpenWriters()));
  for (const object of kept)
    logger.warn('open for writing at the stop: kept for recovery, not uploaded', { object });
  return { uploaded, failed, kept };
}
