// Spare staging slots: the staging file and journal record of an entry that ended once uploaded (or
// unlinked), emptied and kept open for the next new file, instead of two unlinks now and two creations
// then. Creating a file is the dearest step of a small file's life on disk (0.25-1 ms of kernel time per
// creation on the bench machine; a rename is about 20 us). A spare lives in its own directory, never in
// staging/: what staging/ holds is always a live entry's (replay settles it), and what the spare
// directory holds is nothing (replay deletes it). Moves are ordered so that a crash at any step leaves
// staging/ in a state replay already knows: a record without its file (deleted), or a record over the
// file it names.

import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { EntryJournal } from './entry-journal.js';
import { recordPath } from './journal.js';
import type { StagingFile } from './staging-file.js';

/** Spares kept at most: enough for a few writers creating files at once; each holds two descriptors. */
export const MAX_SPARES = 8;

export class SpareSlots {
  readonly #spares: StagingFile[] = [];
  #made = false;

  constructor(
    readonly dir: string,
    private readonly journal: EntryJournal,
    /** Removes a slot from staging/ as any ended entry's is (stager.ts): its record forgotten, the bytes
     *  unlinked before the record. */
    private readonly remove: (staging: StagingFile) => Promise<void>,
  ) {}

  /** Keeps the slot of an ended entry whose bytes are no longer needed. True: the slot is taken care of
   *  (kept, or removed after a failed move); false: nothing changed, the caller discards it. */
  async park(staging: StagingFile): Promise<boolean> {
    if (this.#spares.length >= MAX_SPARES) return false;
    if (!(await this.journal.recycle(staging))) return false;
    const file = this.#spare(staging.path);
    try {
      if (!this.#made) {
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        this.#made = true;
      }
      // The bytes first: a crash now leaves their record alone in staging/, which replay deletes.
      await rename(staging.path, file);
      await staging.truncate(0);
      await rename(recordPath(staging.path), recordPath(file));
    } catch {
      this.#made = false;
      await this.#remove(staging);
      return true;
    }
    this.#spares.push(staging);
    return true;
  }

  /** A spare for a new entry, or undefined. The record moves back first, then `record` writes the new
   *  entry's first record over it (in place, or replaced when it cannot be: at its own path), then the
   *  (empty) file moves back: a crash in between leaves a record without its file (whatever it says,
   *  replay deletes it), or a new empty file with its record, as a fresh creation would. */
  async take(record: (staging: StagingFile) => Promise<void>): Promise<StagingFile | undefined> {
    const staging = this.#spares.pop();
    if (!staging) return undefined;
    const file = this.#spare(staging.path);
    try {
      await rename(recordPath(file), recordPath(staging.path));
      await record(staging);
      await rename(file, staging.path);
    } catch {
      // A spare directory or staging directory that vanished: this slot is lost, a new one will do.
      await this.#remove(staging);
      return undefined;
    }
    return staging;
  }

  /** Removes every spare (a stop). */
  async clear(): Promise<void> {
    const spares = this.#spares.splice(0);
    for (const staging of spares) await this.#remove(staging);
  }

  #spare(stagingPath: string): string {
    return path.join(this.dir, path.basename(stagingPath));
  }

  /** Removes a slot wherever its two files are (staging/ or the spare directory). */
  async #remove(staging: StagingFile): Promise<void> {
    await this.remove(staging);
    const file = this.#spare(staging.path);
    for (const p of [file, recordPath(file)]) await rm(p, { force: true });
  }
}
