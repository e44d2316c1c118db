// What a stop (gcsmount unmount --force, SIGTERM, an umount from outside) does with files still open for
// writing: their bytes may be half-written, so they are never uploaded as if complete. Each one's staged
// bytes move to the keep dir with reason open-at-unmount (`gcsmount recover` shows them), and its
// descriptors are poisoned: a later write or close fails (EIO) instead of looking successful. A close that
// is already uploading is not "open": the drain waits for it. A plain `gcsmount unmount` refuses to stop
// while `openForWriting` names any file (lifecycle/signals.ts).

import { FsError } from '../posix/errors.js';
import type { PendingObject } from './pending-object.js';
import { setAside, type KeepContext } from './set-aside.js';

export interface PendingUpload {
  object: string;
  bytes: number;
}

const described = (e: PendingObject): PendingUpload => ({
  object: `gs://${e.bucket}/${e.key}`,
  bytes: e.size,
});

/** Changes not yet uploaded (what a stop has to drain). */
export function notUploaded(entries: PendingObject[]): PendingUpload[] {
  return entries.filter((e) => e.dirty && !e.unlinked && !e.poisoned).map(described);
}

/** Files open for writing with changes no close is uploading (what a plain unmount refuses over). */
export function openWriterFiles(entries: PendingObject[]): PendingUpload[] {
  return entries.filter((e) => openForWriting(e) && e.dirty).map(described);
}

/** A descriptor open for writing whose changes no close or fsync is uploading. */
export function openForWriting(e: PendingObject): boolean {
  return e.writers > 0 && !e.upload$ && !e.poisoned && !e.unlinked;
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
    await setAside(
      e,
      staging,
      c,
      'open-at-unmount',
      'it was open for writing when the mount stopped (it may be incomplete)',
    );
    kept.push(`gs://${e.bucket}/${e.key}`);
  }
  return kept;
}
