// The end of a pending object whose bytes never made it to the bucket (a failed or conflicting upload, a
// write that failed midway, a file still open when the mount stopped): its staged file moves to the keep
// dir with a record saying what it is and why (kept-files.ts), so `gcsmount recover` can show, push or
// discard it. Split from writer.ts: the writer decides *that* an entry ends unuploaded; this file says how
// the bytes are kept and logged.

import type { Logger } from '../../common/logger.js';
import { toFsError } from '../posix/errors.js';
import { removeJournal } from './journal.js';
import { keepStaged, writeRecord, type KeptRecord } from './kept-files.js';
import type { PendingObject } from './pending-object.js';
import type { StagingFile } from './staging-file.js';

export interface KeepContext {
  keepDir: string;
  logger: Logger;
  now: () => Date;
}

/** Why an entry ends unuploaded, from its state (a stop passes open-at-unmount itself). */
function reasonOf(entry: PendingObject): KeptRecord['reason'] {
  if (entry.poisoned) return 'write-failed';
  return entry.state === 'conflict' ? 'conflict' : 'upload-failed';
}

/** Moves an entry's staged bytes to the keep dir with a record, and logs where they went. */
export async function setAside(
  entry: PendingObject,
  staging: StagingFile,
  c: KeepContext,
  reason: KeptRecord['reason'] = reasonOf(entry),
  error: string = entry.poisoned?.message ?? entry.lastError ?? `upload ${entry.state}`,
): Promise<void> {
  const record: KeptRecord = {
    bucket: entry.bucket,
    object: entry.key,
    size: staging.size,
    baseGeneration: entry.base,
    reason,
    error,
    keptAt: c.now().toISOString(),
  };
  const fields = { object: `gs://${entry.bucket}/${entry.key}`, reason };
  await removeJournal(staging.path).catch(() => undefined);
  try {
    const file = await keepStaged(staging, c.keepDir, record);
    // The record says what the bytes are; on a full disk it may not fit, and the log line says it.
    const recorded = await writeRecord(file, record);
    c.logger.error('the written bytes were not uploaded; they are kept locally', {
      ...fields,
      keptAt: file,
      ...(recorded ? {} : { record: 'not written (no space)', baseGeneration: record.baseGeneration }),
    });
  } catch (err) {
    c.logger.error('the written bytes were not uploaded and could not be moved to the keep dir', {
      ...fields,
      stagedAt: staging.path,
      error: toFsError(err).message,
    });
  }
}
