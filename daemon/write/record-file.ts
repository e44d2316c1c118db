// One staging file's journal record on disk (journal.ts is the format), kept open between its writes.
// A record that is not fsynced (`open`, `closing`, `uploaded`) only has to survive the daemon's death,
// and the page cache does: such a record is rewritten in place, one write from offset 0 padded with
// spaces to the length already on disk (JSON ignores them), within one page, so a `kill -9` finds the
// old record or the new one, never a mix. A record that must survive a power cut, or one replacing a
// record that did (or one a previous run wrote), is replaced atomically: a temp file, fsynced when
// asked, renamed over. A small file's close then costs one write instead of a new file and a rename
// (creating a file is the dearest of those steps: 0.25-1 ms of kernel time on the bench machine).

import { open, rename, type FileHandle } from 'node:fs/promises';

/** A rewrite in place stays within the first page: a write the kernel copies in one step. */
export const IN_PLACE_MAX = 4096;

export class RecordFile {
  #handle: FileHandle | undefined;
  /** Bytes of the record on disk (a rewrite in place pads to at least this). */
  #length = 0;
  /** The record on disk was fsynced: a power cut must find it whole, so it is never rewritten in place. */
  #durable = false;
  /** No record exists yet (a staging file this run created): the first write makes the file. */
  #fresh: boolean;

  constructor(
    readonly path: string,
    fresh: boolean,
  ) {
    this.#fresh = fresh;
  }

  /** Writes `text` as the record; `durable` fsyncs it (the caller fsyncs the directory). `after` (the staged
   *  bytes' fsync) settles before the new record can be found, while the record's own write and fsync
   *  run: a power cut finds the old record, or the new one over bytes that are down. */
  async write(text: string, durable: boolean, after?: Promise<unknown>): Promise<void> {
    const bytes = Buffer.from(`${text}\n`);
    const handle = this.#handle;
    if (handle && !durable && !this.#durable && Math.max(bytes.length, this.#length) <= IN_PLACE_MAX) {
      await after;
      const padded =
        bytes.length >= this.#length
          ? bytes
          : Buffer.concat([bytes, Buffer.alloc(this.#length - bytes.length, 0x20)]);
      try {
        await handle.write(padded, 0, padded.length, 0);
      } catch (err) {
        // What is on disk is unknown now: the next write replaces the record whole.
        this.#handle = undefined;
        await handle.close().catch(() => undefined);
        throw err;
      }
      this.#length = padded.length;
      return;
    }
    if (this.#fresh) {
      this.#fresh = false;
      await after;
      await this.#replace(await open(this.path, 'wx', 0o600), bytes, durable, undefined);
      return;
    }
    const tmp = `${this.path}.tmp`;
    await this.#replace(await open(tmp, 'w', 0o600), bytes, durable, tmp, after);
  }

  /** Fills a new file (a first record, or a temp file renamed over the record) and keeps it open. */
  async #replace(
    fh: FileHandle,
    bytes: Buffer,
    durable: boolean,
    tmp: string | undefined,
    after?: Promise<unknown>,
  ): Promise<void> {
    try {
      await fh.write(bytes, 0, bytes.length, 0);
      if (durable) await fh.sync();
      await after;
      if (tmp !== undefined) await rename(tmp, this.path);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    const old = this.#handle;
    this.#handle = fh;
    this.#length = bytes.length;
    this.#durable = durable;
    await old?.close().catch(() => undefined);
  }

  /** The next write can be made in place (what a spare slot needs: spare-slots.ts). */
  get inPlace(): boolean {
    return this.#handle !== undefined && !this.#durable && this.#length <= IN_PLACE_MAX;
  }

  /** Closes the record (it stays on disk: the caller removes it after the staged file). */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    this.#fresh = false;
    await handle?.close().catch(() => undefined);
  }
}
