// Bytes the mount could not upload (a failed upload, a conflict, a write that failed midway) are kept in
// the keep dir (cache-dir/<mount>/failed-uploads), each with a JSON record beside it saying which object
// they were for, how big, based on which generation, and why they were kept, so that a person (or
// `gcsmount recover`) can tell what a file is without guessing from its name.

import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StagingFile } from './staging-file.js';

export interface KeptRecord {
  bucket: string;
  object: string;
  size: number;
  /** The generation the bytes were written over ('0': a new object). */
  baseGeneration: string;
  /** Why the bytes were not uploaded. open-at-crash: the file was open for writing when the daemon
   *  died (maybe incomplete); open-at-unmount: the same at a forced unmount or a SIGTERM; no-record: a
   *  staged file whose journal record was lost; size-mismatch: a closed file whose staged bytes are not
   *  as long as its record says (a power cut kept the record and lost some of the bytes); content-mismatch:
   *  as long, but not the bytes whose CRC32C its record names (zeros a power cut left, or a reused slot's
   *  next file under an older record). */
  reason:
    | 'upload-failed'
    | 'conflict'
    | 'write-failed'
    | 'open-at-crash'
    | 'open-at-unmount'
    | 'no-record'
    | 'size-mismatch'
    | 'content-mismatch';
  error: string;
  keptAt: string;
}

export interface KeptFile extends KeptRecord {
  /** The kept bytes. */
  file: string;
}

const RECORD = '.json';

/** Where a kept file for `record` goes in `dir`. */
function keepPath(dir: string, record: KeptRecord): string {
  const safe = `${record.bucket}-${record.object}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-120);
  return path.join(dir, `${record.keptAt.replace(/[:.]/g, '-')}-${safe}`);
}

/** Moves staged bytes into `dir` (a rename: it needs no space); returns their new path. `staged` is the
 *  open staging file of a pending object, or the path of one an earlier run left (replay). */
export async function keepStaged(
  staged: StagingFile | string,
  dir: string,
  record: KeptRecord,
): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = keepPath(dir, record);
  if (typeof staged === 'string') await rename(staged, file);
  else await staged.keep(file);
  return file;
}

/** Writes the record of a kept file; false when it could not be written (a full disk: the caller logs
 *  the record instead, and the bytes, moved already, stay). */
export async function writeRecord(file: string, record: KeptRecord): Promise<boolean> {
  const tmp = `${file}${RECORD}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, `${file}${RECORD}`);
    return true;
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
    return false;
  }
}

/** Every kept file with its record; a file whose record is missing or unreadable is listed as unknown. */
export async function listKept(dir: string): Promise<KeptFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: KeptFile[] = [];
  for (const name of names.sort()) {
    if (name.endsWith(RECORD) || name.endsWith(`${RECORD}.tmp`)) continue;
    const file = path.join(dir, name);
    try {
      const record = JSON.parse(await readFile(`${file}${RECORD}`, 'utf8')) as KeptRecord;
      out.push({ ...record, file });
    } catch {
      out.push({
        bucket: '?',
        object: name,
        size: -1,
        baseGeneration: '?',
        reason: 'upload-failed',
        error: 'no record',
        keptAt: '?',
        file,
      });
    }
  }
  return out;
}

export async function discardKept(kept: KeptFile): Promise<void> {
  await rm(kept.file, { force: true });
  await rm(`${kept.file}${RECORD}`, { force: true });
}
