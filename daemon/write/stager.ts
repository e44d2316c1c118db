// The staged bytes of pending objects: a pending object gets its staging file (with its journal record)
// at its first write or truncate, filled with its base object's bytes up to what the change needs (a
// truncate to 0 downloads nothing), once however many writes arrive at the same time; and the
// --staging-max-size budget over every staged file. A base that vanished or changed meanwhile is a
// conflict (ESTALE), and its staging file is removed.

import type { StorageBackend } from '../../storage/backend.js';
import { isStorageError } from '../../storage/errors.js';
import { FsError } from '../posix/errors.js';
import type { EntryJournal } from './entry-journal.js';
import { removeJournal } from './journal.js';
import type { PendingObject } from './pending-object.js';
import { SpareSlots } from './spare-slots.js';
import { StagingFile } from './staging-file.js';

export interface StagerOptions {
  backend: StorageBackend;
  stagingDir: string;
  journal: EntryJournal;
  /** Every pending object (what the budget counts). */
  entries: () => PendingObject[];
  /** Most bytes staged at once, over every pending object (0 or none: no cap). */
  maxBytes?: number | undefined;
  /** Where slots of ended entries wait for new ones (spare-slots.ts; none: each entry creates its own). */
  spareDir?: string | undefined;
}

export class Stager {
  readonly #o: StagerOptions;
  readonly #spares: SpareSlots | undefined;

  constructor(o: StagerOptions) {
    this.#o = o;
    this.#spares =
      o.spareDir === undefined ? undefined : new SpareSlots(o.spareDir, o.journal, (s) => this.#remove(s));
  }

  /** A new object's empty staging file, recorded `open`: a spare slot if one is kept, else a new file. */
  async create(entry: PendingObject): Promise<StagingFile> {
    const journal = this.#o.journal;
    const spare = await this.#spares?.take((s) => journal.write(entry, 'open', s));
    if (spare) return spare;
    const staging = await StagingFile.create(this.#o.stagingDir);
    try {
      await journal.write(entry, 'open', staging);
    } catch (err) {
      await this.#remove(staging);
      throw err;
    }
    return staging;
  }

  /** The slot of an entry that ended with nothing to keep: spare, or removed (bytes before record: writer.ts
   *  #endWhenIdle says why). */
  async discard(staging: StagingFile, spare: boolean): Promise<void> {
    if (spare && (await this.#spares?.park(staging))) return;
    await this.#remove(staging);
  }

  /** Removes the spare slots (a stop). */
  async clearSpares(): Promise<void> {
    await this.#spares?.clear();
  }

  /** Makes sure the entry has a staging file holding its base's bytes, up to `upTo` (a truncate needs
   *  no more: O_TRUNC and truncate -s 0 download nothing). */
  async stage(entry: PendingObject, upTo?: number): Promise<StagingFile> {
    if (entry.staging) return entry.staging;
    entry.staging$ ??= this.#fill(entry, upTo);
    try {
      entry.staging = await entry.staging$;
      return entry.staging;
    } finally {
      entry.staging$ = undefined;
    }
  }

  /** A write that would take the staged bytes past --staging-max-size fails with ENOSPC (and so poisons
   *  its file: nothing incomplete is uploaded), as a full disk would. */
  withinBudget(growth: number): void {
    const cap = this.#o.maxBytes ?? 0;
    if (cap <= 0 || growth <= 0) return;
    const staged = this.#o.entries().reduce((n, e) => n + (e.staging?.size ?? 0), 0);
    if (staged + growth > cap) {
      throw new FsError('no-space', `--staging-max-size ${cap} reached: ${staged} bytes are staged already`);
    }
  }

  async #fill(entry: PendingObject, upTo?: number): Promise<StagingFile> {
    const staging = await this.create(entry);
    const size = Math.min(entry.meta?.size ?? 0, upTo ?? Infinity);
    try {
      if (entry.base !== '0' && size > 0) {
        const { body } = await this.#o.backend.readObject(entry.bucket, entry.key, {
          generation: entry.base,
          range: { start: 0, end: size - 1 },
        });
        await staging.fill(body);
      }
    } catch (err) {
      await this.#remove(staging);
      if (isStorageError(err, 'not-found') || isStorageError(err, 'precondition-failed')) {
        throw new FsError('stale', `gs://${entry.bucket}/${entry.key} changed since it was opened`, {
          cause: err,
        });
      }
      throw err;
    }
    return staging;
  }

  async #remove(staging: StagingFile): Promise<void> {
    await this.#o.journal.forget(staging).catch(() => undefined);
    await staging.discard(); // before its record (writer.ts #endWhenIdle says why)
    await removeJournal(staging.path).catch(() => undefined);
  }
}
