// The local file behind a handle that writes: random writes, appends and truncates land here, and
// write-back uploads it whole on flush/close. Files live in the cache dir's staging/ folder, named by a
// random id (never by the object name), and stay there when an upload fails so no byte is lost.

import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

export class StagingFile {
  #size = 0;

  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
  ) {}

  static async create(dir: string): Promise<StagingFile> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, randomUUID());
    return new StagingFile(file, await open(file, 'w+', 0o600));
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

  async sync(): Promise<void> {
    await this.handle.sync();
  }

  /** An upload source that can be reopened at any offset (retries and resumed uploads). */
  source(): { size: number; open(offset: number): Readable } {
    const size = this.#size;
    const file = this.path;
    return {
      size,
      open: (offset: number) =>
        size === 0
          ? createReadStream(file, { start: 0, end: -1 })
          : createReadStream(file, { start: offset, end: size - 1 }),
    };
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  /** Keeps the bytes of a failed upload under `dir` with a readable name; returns where. */
  async keep(dir: string, label: string): Promise<string> {
    await this.handle.sync().catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const safe = label.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-120);
    const dest = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safe}`);
    await rename(this.path, dest);
    return dest;
  }
}
