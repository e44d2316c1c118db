// Recovery at start, before the mount answers: every staged file a previous run left (a crash, a kill -9)
// is settled by its journal record. A file whose close was uploading it, or that waited in the upload
// queue, becomes a pending file again (the writer adopts it: stat, ls and reads see its bytes at once) and
// its upload goes through the queue, concurrently and in the background, under the same generation
// precondition, resuming the resumable session its record names; so a start after a crash with many
// slow uploads answers at once. A file still open for writing may be half-written, so it is kept, never
// uploaded; a file already uploaded is dropped; a conflict (an upload that got a 412) is kept as one.
// A file still open whose record names a session (a streaming upload, stream-upload.ts, had started) is
// kept the same way, and its session is cancelled (the store drops the bytes it had; nobody could finish
// it: what the writer would have written next is unknown), in the background like the uploads.
// Whatever cannot be uploaded (a 412, an error) moves to the keep dir with a record. Nothing is dropped
// silently and nothing is left that no record names.

import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../common/logger.js';
import { readJournal, RECORD_SUFFIX, removeJournal, type JournalRecord } from './journal.js';
import { keepStaged, writeRecord, type KeptRecord } from './kept-files.js';
import { hashBuffer } from '../../storage/checksums.js';

export interface ReplayResult {
  /** Closed files whose uploads are queued again. */
  queued: string[];
  kept: string[];
  dropped: number;
  /** Resolves once every queued one is uploaded or kept (the mount answers long before). */
  settled: Promise<void>;
}

/** The writer's side: makes a closed file pending again and queues its upload (Writer.adopt). */
export type Adopt = (file: string, record: JournalRecord) => Promise<{ settled: Promise<void> } | undefined>;

export interface ReplayOptions {
  adopt: Adopt;
  /** Cancels the resumable session a record names (best effort: an error is logged). */
  cancel?: (record: JournalRecord & { session: string }) => Promise<void>;
  stagingDir: string;
  /** The spare slots' directory (spare-slots.ts): nothing in it is anyone's bytes. */
  spareDir?: string | undefined;
  keepDir: string;
  logger: Logger;
  now: () => Date;
}

export async function replayJournal(o: ReplayOptions): Promise<ReplayResult> {
  const settling: Promise<void>[] = [];
  const result: ReplayResult = { queued: [], kept: [], dropped: 0, settled: Promise.resolve() };
  if (o.spareDir !== undefined) await rm(o.spareDir, { recursive: true, force: true });
  let names: string[];
  try {
    names = await readdir(o.stagingDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw err;
  }
  const files = names.filter((n) => !n.endsWith(RECORD_SUFFIX) && !n.endsWith(`${RECORD_SUFFIX}.tmp`));
  // Records whose staged file is gone (the crash came after the discard): nothing to settle.
  const staged = new Set(files); // a crash may leave thousands (--async-uploads): no scan per record
  for (const n of names) {
    const base = n.replace(/\.json(\.tmp)?$/, '');
    if (base !== n && !staged.has(base)) await rm(path.join(o.stagingDir, n), { force: true });
  }
  for (const name of files) {
    const file = path.join(o.stagingDir, name);
    const size = (await stat(file)).size;
    const record = await readJournal(file);
    await rm(`${file}${RECORD_SUFFIX}.tmp`, { force: true });
    const object = record ? `gs://${record.bucket}/${record.object}` : `(unknown: ${name})`;
    if (record?.state === 'uploaded') {
      await rm(file, { force: true });
      await removeJournal(file);
      result.dropped++;
      continue;
    }
    // A `closing` record is not fsynced, and neither are the bytes under it: after a power cut the record
    // may be there with fewer bytes than it says (or none). Those are not the file that was closed, so
    // they are kept, never uploaded over the object.
    const closed = record?.state === 'closing' || record?.state === 'queued';
    if (closed && typeof record.size === 'number' && record.size !== size) {
      const why = `its staged bytes are ${size} long, not the ${record.size} its close recorded (a power cut?)`;
      await keep(o, file, record, size, 'size-mismatch', why);
      result.kept.push(object);
      continue;
    }
    // The same length, other bytes: zeros never written back, or a reused slot's next file under this
    // (older) record (closed-bytes.ts). Only a small file's record names a CRC32C.
    if (closed && record.crc32c !== undefined && (await crc32cOf(file)) !== record.crc32c) {
      const why = `its staged bytes are not the ones its close recorded (CRC32C differs: a power cut?)`;
      await keep(o, file, record, size, 'content-mismatch', why);
      result.kept.push(object);
      continue;
    }
    if (closed) {
      const adopted = await o.adopt(file, record);
      if (adopted) {
        settling.push(adopted.settled);
        result.queued.push(object);
      } else {
        // Two staged files for one name (a crash amid a rename over a pending file): the first is queued.
        await keep(o, file, record, size, 'conflict', `another staged file of ${object} is being uploaded`);
        result.kept.push(object);
      }
      continue;
    }
    if (record?.state === 'conflict') {
      const why = `gs://${record.bucket}/${record.object} changed in the bucket since generation ${record.baseGeneration}`;
      await keep(o, file, record, size, 'conflict', why);
      result.kept.push(object);
      continue;
    }
    const why = !record
      ? 'its journal record is missing or unreadable'
      : record.state === 'failed'
        ? 'its upload had failed before the mount stopped'
        : 'it was still open for writing when the mount stopped (it may be incomplete)';
    const reason = !record ? 'no-record' : record.state === 'failed' ? 'upload-failed' : 'open-at-crash';
    await keep(o, file, record, size, reason, why);
    result.kept.push(object);
    if (record?.session !== undefined && o.cancel)
      settling.push(cancel(o, { ...record, session: record.session }));
  }
  result.settled = Promise.all(settling).then(() => undefined);
  return result;
}

async function cancel(o: ReplayOptions, record: JournalRecord & { session: string }): Promise<void> {
  try {
    await o.cancel?.(record);
    o.logger.info('recovered: cancelled the upload session of a file kept as it was', {
      object: `gs://${record.bucket}/${record.object}`,
    });
  } catch (err) {
    o.logger.warn('recovered: could not cancel an upload session (the store drops it within a week)', {
      object: `gs://${record.bucket}/${record.object}`,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

async function keep(
  o: ReplayOptions,
  file: string,
  record: JournalRecord | undefined,
  size: number,
  reason: KeptRecord['reason'],
  error: string,
): Promise<void> {
  const kept: KeptRecord = {
    bucket: record?.bucket ?? '?',
    object: record?.object ?? path.basename(file),
    size,
    baseGeneration: record?.baseGeneration ?? '?',
    reason,
    error,
    keptAt: o.now().toISOString(),
  };
  const dest = await keepStaged(file, o.keepDir, kept);
  await writeRecord(dest, kept);
  await removeJournal(file);
  o.logger.warn('recovered: a staged file from before the last stop is kept, not uploaded', {
    object: `gs://${kept.bucket}/${kept.object}`,
    reason,
    keptAt: dest,
  });
}

/** A small staged file's CRC32C (only a small file's record names one: its size was checked first). */
async function crc32cOf(file: string): Promise<string | undefined> {
  return hashBuffer(await readFile(file), { md5: false }).crc32c;
}
