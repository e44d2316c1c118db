// What a stop (gcsmount unmount --force, SIGTERM, an umount from outside) does with files still open for
// writing: their bytes may be half-written, so they are never uploaded as if complete. Each one's staged
// bytes move to the keep dir with reason open-at-unmount (`gcsmount recover` shows them), and its
// descriptors are poisoned: a later write or close fails (EIO) instead of looking successful. A close that
// is already uploading is not "open": the drain waits for it. A plain `gcsmount unmount` refuses to stop
// while `openForWriting` names any file (lifecycle/signals.ts).

import type { Logger } from '../../common/logger.js';
import { FsError, toFsError } from '../fs/errors.js';
import { removeJournal } from './journal.js';
import { keepStaged, writeRecord, type KeptRecord } from './kept-files.js';
import type { PendingObject } from './pending-object.js';
import type { StagingFile } from './staging-file.js';

/** A descriptor open for writing whose changes no close or fsync is uploading. */
export function openForWriting(e: PendingObject): boolean {
  return e.writers > 0 && !e.upload$ && !e.poisoned && !e.unlinked;
}

export interface KeepContext {
  keepDir: string;
  logger: Logger;
  now: () => Date;
}

/** Moves an entry's staged bytes to the keep dir with a record, and logs where they went. */
export async function keepEntry(
  entry: PendingObject,
  staging: StagingFile,
  reason: KeptRecord['reason'],
  error: string,
  c: KeepContext,
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

/** Keeps (never uploads) what the files still open for writing hold; returns their names. */
export async function keepOpenWriters(entries: PendingObject[], c: KeepContext): Promise<string[]> {
  const kept: string[] = [];
  for (const e of entries.filter(openForWriting)) {
    e.poisoned = new FsError(
      'io',
      'the mount stopped while this file was open for writing; see gcsmount recover',
    );
    const staging = e.staging ?? (await e.staging$?.catch(() => undefined));
    if (!staging || !e.dirty) continue;
    delete e.staging; // the last release finds nothing left to keep or discard
    await keepEntry(
      e,
      staging,
      'open-at-unmount',
      'it was open for writing when the mount stopped (it may be incomplete)',
      c,
    );
    kept.push(`gs://${e.bucket}/${e.key}`);
  }
  return kept;
}
