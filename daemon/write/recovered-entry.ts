// A staged file a previous run closed and did not upload, made a pending object again from its journal
// record (replay.ts asks, through Writer.adopt): under its name, on the generation the record names, with
// the metadata and mtime it was to carry and the resumable session it had started (with the metadata
// that session was started with), so stat, ls and reads see its bytes at once and its upload resumes.

import { readPosix } from '../posix/attrs.js';
import { recordedMeta, type JournalRecord } from './journal.js';
import type { PendingObject } from './pending-object.js';
import type { PendingRegistry } from './pending-registry.js';
import { StagingFile } from './staging-file.js';

/** The pending object of the record; undefined when the name has one already (the caller keeps this
 *  file instead). */
export async function recoveredEntry(
  registry: PendingRegistry,
  file: string,
  record: JournalRecord,
  now: Date,
): Promise<PendingObject | undefined> {
  if (registry.get(record.bucket, record.object)) return undefined;
  const staging = await StagingFile.adopt(file);
  const meta = recordedMeta(record, staging.size);
  const { entry } = registry.obtain(record.bucket, record.object, record.baseGeneration, meta, now);
  entry.staging = staging;
  entry.recovered = true;
  // The mtime the upload carries is the one recorded (the last local change before the crash).
  const mtime = readPosix(meta.metadata).mtime;
  entry.touch(mtime === undefined ? meta.updated : new Date(mtime * 1000));
  entry.journaled = record.state;
  if (record.session !== undefined) {
    entry.session = {
      url: record.session,
      persisted: record.persisted ?? 0,
      version: entry.version,
      ...(record.sessionWritable ? { writable: record.sessionWritable } : {}),
    };
  }
  return entry;
}
