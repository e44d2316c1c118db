// The local file behind a pending object: random writes, appends and truncates land here, and write-back
// uploads it whole on flush/close. Files live in the cache dir's staging/ folder, named by a random id
// (never by the object name); when an upload fails they move to the keep dir so no byte is lost.

import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

/** Staging directories made by this process. */
const made = new Set<string>();

export class StagingFile {
  #size = 0;

  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
    /** Made by this run (create), not adopted from a previous one: no journal record exists yet. */
    readonly madeHere: boolean,
  ) {}

  static async create(dir: string): Promise<StagingFile> {
    const file = path.join(dir, randomUUID());
    // The directory is made once (a mkdir per file cost a syscall and a walk), again if it vanished.
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      made.add(dir);
    }
    try {
      return new StagingFile(file, await open(file, 'w+', 0o600), true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      forgetDirHandle(dir);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return new StagingFile(file, await open(file, 'w+', 0o600), true);
    }
  }

  /** A staged file a previous run left (replay): its bytes as they are on disk. */
  static async adopt(file: string): Promise<StagingFile> {
    const handle = await open(file, 'r+');
    const staged = new StagingFile(file, handle, false);
    staged.#size = (await handle.stat()).size;
    return staged;
  }

  get size(): number {
    return this.#size;
  }

  /** Fills the file from a stream (the object's current content, before a partial overwrite). */
  async fill(source: Readable): Promise<void> {
    let at = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      await this.handle.write(chunk, 0, chunk.length, at);
      at += chunk.length;
    }
    this.#size = at;
  }

  async write(data: Buffer, length: number, position: number): Promise<number> {
    const { bytesWritten } = await this.handle.write(data, 0, length, position);
    this.#size = Math.max(this.#size, position + bytesWritten);
    return bytesWritten;
  }

  async read(into: Buffer, length: number, position: number): Promise<number> {
    if (position >= this.#size) return 0;
    const { bytesRead } = await this.handle.read(into, 0, Math.min(length, this.#size - position), position);
    return bytesRead;
  }

  async truncate(size: number): Promise<void> {
    await this.handle.truncate(size);
    this.#size = size;
  }

  /** A small file's bytes, read through the open descriptor (no second open, no stream): what a single
   *  PUT sends. */
  async bytes(): Promise<Buffer> {
    const into = Buffer.allocUnsafe(this.#size);
    for (let got = 0; got < into.length;) {
      const { bytesRead } = await this.handle.read(into, got, into.length - got, got);
      if (bytesRead === 0) return into.subarray(0, got);
      got += bytesRead;
    }
    return into;
  }

  /** An upload source that can be reopened at any offset (retries and resumed uploads). */
  source(): { size: number; open(offset: number): Readable } {
    const size = this.#size;
    const file = this.path;
    return {
      size,
      // createReadStream has no empty range (end is inclusive, and end: -1 reads the whole file).
      open: (offset: number) =>
        offset >= size ? Readable.from([]) : createReadStream(file, { start: offset, end: size - 1 }),
    };
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await unlinkIfThere(this.path);
  }

  /** Moves the bytes to `dest` (the keep dir), durably: they are all that is left of the user's write. */
  async keep(dest: string): Promise<void> {
    await this.handle.sync().catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await rename(this.path, dest);
  }
}

/** Removes a file that may be gone already (one unlink: rm's force walks the path first). */
export async function unlinkIfThere(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Open handles of the staging directories, for syncDir (an open and a close less per durable record). */
const dirHandles = new Map<string, Promise<FileHandle>>();

/** fsyncs a directory, so the names created or renamed in it survive a power cut. */
export async function syncDir(dir: string): Promise<void> {
  let handle = dirHandles.get(dir);
  if (!handle) {
    handle = open(dir, 'r');
    dirHandles.set(dir, handle);
    handle.catch(() => dirHandles.delete(dir));
  }
  await (await handle).sync();
}

/** A directory made again (it vanished): a handle kept for it names the old one. */
function forgetDirHandle(dir: string): void {
  const handle = dirHandles.get(dir);
  dirHandles.delete(dir);
  handle?.then((h) => h.close()).catch(() => undefined);
}
