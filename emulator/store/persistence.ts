// Where bucket and object records are kept between runs. The in-memory store keeps nothing; the folder store
// writes one JSON file per record, named by a hash of the name (so no name, whatever bytes it holds, can
// form a path) and replaced atomically by rename.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BucketRecord, ObjectRecord } from './records.js';

export interface Persistence {
  saveBucket(record: BucketRecord): Promise<void>;
  removeBucket(name: string): Promise<void>;
  saveObject(record: ObjectRecord): Promise<void>;
  removeObject(bucket: string, name: string): Promise<void>;
  load(): Promise<{ buckets: BucketRecord[]; objects: ObjectRecord[] }>;
}

export const noPersistence: Persistence = {
  saveBucket: () => Promise.resolve(),
  removeBucket: () => Promise.resolve(),
  saveObject: () => Promise.resolve(),
  removeObject: () => Promise.resolve(),
  load: () => Promise.resolve({ buckets: [], objects: [] }),
};

const hashName = (name: string): string => createHash('sha256').update(name, 'utf8').digest('hex');

export class FolderPersistence implements Persistence {
  readonly #root: string;
  readonly #tmp: string;
  /** Writes to one file run in order, so a slower older write never lands after a newer one. */
  readonly #chains = new Map<string, Promise<void>>();

  constructor(root: string) {
    this.#root = path.join(root, 'buckets');
    this.#tmp = path.join(root, 'tmp');
  }

  saveBucket(record: BucketRecord): Promise<void> {
    const dir = this.#bucketDir(record.name);
    return this.#serial(dir, async () => {
      await mkdir(path.join(dir, 'objects'), { recursive: true });
      await this.#writeJson(path.join(dir, 'bucket.json'), record);
    });
  }

  removeBucket(name: string): Promise<void> {
    const dir = this.#bucketDir(name);
    return this.#serial(dir, () => rm(dir, { recursive: true, force: true }));
  }

  saveObject(record: ObjectRecord): Promise<void> {
    const file = this.#objectFile(record.bucket, record.name);
    return this.#serial(file, () => this.#writeJson(file, record));
  }

  removeObject(bucket: string, name: string): Promise<void> {
    const file = this.#objectFile(bucket, name);
    return this.#serial(file, () => rm(file, { force: true }));
  }

  async load(): Promise<{ buckets: BucketRecord[]; objects: ObjectRecord[] }> {
    await mkdir(this.#root, { recursive: true });
    const buckets: BucketRecord[] = [];
    const objects: ObjectRecord[] = [];
    for (const dir of await readdir(this.#root)) {
      const bucketDir = path.join(this.#root, dir);
      let bucket: BucketRecord;
      try {
        bucket = JSON.parse(await readFile(path.join(bucketDir, 'bucket.json'), 'utf8')) as BucketRecord;
      } catch {
        continue; // a bucket whose creation never completed
      }
      buckets.push(bucket);
      const objectDir = path.join(bucketDir, 'objects');
      for (const file of await readdir(objectDir)) {
        if (!file.endsWith('.json')) continue;
        objects.push(JSON.parse(await readFile(path.join(objectDir, file), 'utf8')) as ObjectRecord);
      }
    }
    return { buckets, objects };
  }

  #bucketDir(name: string): string {
    return path.join(this.#root, hashName(name));
  }

  #objectFile(bucket: string, name: string): string {
    return path.join(this.#bucketDir(bucket), 'objects', `${hashName(name)}.json`);
  }

  async #writeJson(file: string, value: unknown): Promise<void> {
    const tmp = path.join(
      this.#tmp,
      `${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}`,
    );
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, file);
  }

  #serial(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.#chains.set(key, next);
    void next.finally(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
    return next;
  }
}
