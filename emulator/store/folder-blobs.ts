// Blobs as files under DIR/blobs, written to DIR/tmp first and renamed into place once complete and
// flushed, so a crash never leaves a half-written blob under a live name. File names are random ids: no
// object or bucket name ever reaches a path.

import { randomUUID } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { eachAfterSkip, type AppendableBlob, type BlobStore, type HashOptions } from './blob-store.js';
import { HashingStream } from './hashing.js';
import type { BlobInfo } from './records.js';

export class FolderBlobs implements BlobStore {
  readonly #blobs: string;
  readonly #tmp: string;

  private constructor(root: string) {
    this.#blobs = path.join(root, 'blobs');
    this.#tmp = path.join(root, 'tmp');
  }

  static async open(root: string): Promise<FolderBlobs> {
    const store = new FolderBlobs(root);
    await mkdir(store.#blobs, { recursive: true });
    // Anything in tmp/ is an upload that never finished.
    await rm(store.#tmp, { recursive: true, force: true });
    await mkdir(store.#tmp, { recursive: true });
    return store;
  }

  async appendable(): Promise<AppendableBlob> {
    const tmp = path.join(this.#tmp, randomUUID());
    const handle = await open(tmp, 'w+', 0o600);
    return new FolderAppendable(tmp, handle, (id) => this.#file(id));
  }

  /** Ids of every blob on disk, for removing those no record names after a crash. */
  async ids(): Promise<string[]> {
    return readdir(this.#blobs);
  }

  async write(body: Readable, options: HashOptions = {}): Promise<BlobInfo> {
    return this.#writeFrom(options, async (sink) => {
      await pipeline(body, sink);
    });
  }

  async concat(ids: readonly string[], options: HashOptions = {}): Promise<BlobInfo> {
    return this.#writeFrom(options, async (sink) => {
      for (const id of ids) await pipeline(createReadStream(this.#file(id)), sink, { end: false });
      sink.end();
    });
  }

  async clone(id: string): Promise<string> {
    const tmp = path.join(this.#tmp, randomUUID());
    const copy = randomUUID();
    await copyFile(this.#file(id), tmp, constants.COPYFILE_FICLONE);
    await rename(tmp, this.#file(copy));
    return copy;
  }

  async read(id: string, start: number, end: number): Promise<Readable> {
    const handle = await open(this.#file(id), 'r');
    if (end <= start) {
      await handle.close();
      return Readable.from([]);
    }
    return handle.createReadStream({ start, end: end - 1, highWaterMark: 256 * 1024, autoClose: true });
  }

  async remove(id: string): Promise<void> {
    await rm(this.#file(id), { force: true });
  }

  #file(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`emulator: bad blob id ${id}`);
    return path.join(this.#blobs, id);
  }

  async #writeFrom(options: HashOptions, fill: (sink: HashingStream) => Promise<void>): Promise<BlobInfo> {
    const id = randomUUID();
    const tmp = path.join(this.#tmp, id);
    const hasher = new HashingStream({ md5: options.md5 !== false && options.known === undefined });
    const file = createWriteStream(tmp, { highWaterMark: 256 * 1024 });
    const written = pipeline(hasher, file);
    try {
      await Promise.all([fill(hasher), written]);
      const handle = await open(tmp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.#file(id));
    } catch (err) {
      hasher.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
    return { id, ...(await hasher.result()), ...options.known };
  }
}

/** Bytes written in place into one file under tmp/ (wiped at start-up, like any unfinished upload), in
 *  batches of about 1 MiB (one positional writev each, no copy); committing fsyncs it once and renames it
 *  into blobs/. */
class FolderAppendable implements AppendableBlob {
  readonly #tmp: string;
  readonly #handle: FileHandle;
  readonly #fileOf: (id: string) => string;

  constructor(tmp: string, handle: FileHandle, fileOf: (id: string) => string) {
    this.#tmp = tmp;
    this.#handle = handle;
    this.#fileOf = fileOf;
  }

  async write(
    body: Readable,
    at: number,
    skip: number,
    tap?: (piece: Buffer) => Promise<void>,
  ): Promise<number> {
    let pos = at;
    let batch: Buffer[] = [];
    let batched = 0;
    const flush = async (): Promise<void> => {
      for (let done = 0; done < batched;) {
        const { bytesWritten } = await this.#handle.writev(batch, pos + done);
        done += bytesWritten;
        if (done < batched) batch = [Buffer.concat(batch).subarray(bytesWritten)];
      }
      pos += batched;
      batch = [];
      batched = 0;
    };
    const seen = await eachAfterSkip(body, skip, async (chunk) => {
      await tap?.(chunk);
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= BATCH) await flush();
    });
    await flush();
    return seen;
  }

  read(start: number, end: number): Promise<Readable> {
    if (end <= start) return Promise.resolve(Readable.from([]));
    return Promise.resolve(createReadStream(this.#tmp, { start, end: end - 1, highWaterMark: 256 * 1024 }));
  }

  async commit(size: number, hashes: { md5: string; crc32c: string }): Promise<BlobInfo> {
    const id = randomUUID();
    try {
      await this.#handle.truncate(size);
      await this.#handle.sync();
    } finally {
      await this.#handle.close();
    }
    await rename(this.#tmp, this.#fileOf(id));
    return { id, size, ...hashes };
  }

  async discard(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
    await rm(this.#tmp, { force: true });
  }
}

/** Bytes gathered before one positional write of a session's chunk. */
const BATCH = 1024 * 1024;
