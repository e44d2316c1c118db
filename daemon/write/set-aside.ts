// The end of a pending object whose bytes never made it to the bucket (a failed or conflicting upload, a
// write that failed midway): its staged file moves to the keep dir with a record saying what it is and
// why (kept-files.ts), so `gcsmount recover` can show, push or discard it. Split from writer.ts: the
// writer decides *that* an entry ends unuploaded; this file says how the bytes are kept and logged.

import type { Logger } from '../../common/logger.js';
import { toFsError } from '../posix/errors.js';
import { keepStaged, writeRecord, type KeptRecord } from './kept-files.js';
import type { PendingObject } from './pending-object.js';
import type { StagingFile } from './staging-file.js';

export async function setAside(
  entry: PendingObject,
  staging: StagingFile,
  keepDir: string,
  logger: Logger,
  now: Date,
): Promise<void> {
  const record: KeptRecord = {
    bucket: entry.bucket,
    object: entry.key,
    size: staging.size,
    baseGeneration: entry.base,
    reason: entry.poisoned ? 'write-failed' : entry.state === 'conflict' ? 'conflict' : 'upload-failed',
    error: entry.poisoned?.message ?? entry.lastError ?? `upload ${entry.state}`,
    keptAt: now.toISOString(),
  };
  const fields = { object: `gs://${entry.bucket}/${entry.key}`, reason: record.reason };
  try {
    const file = await keepStaged(staging, keepDir, record);
    // The record says what the bytes are; on a full disk it may not fit, and the log line says it.
    const recorded = await writeRecord(file, record);
    logger.error('the written bytes were not uploaded; they are kept locally', {
      ...fields,
      keptAt: file,
      ...(recorded ? {} : { record: 'not written (no space)', baseGeneration: record.baseGeneration }),
    });
  } catch (err) {
    logger.error('the written bytes were not uploaded and could not be moved to the keep dir', {
      ...fields,
      stagedAt: staging.path,
      error: toFsError(err).message,
    });
  }
}
