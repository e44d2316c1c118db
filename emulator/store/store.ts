// The emulator's store: an in-memory catalog of buckets and objects (sorted names for listing) over a blob
// store and a persistence layer. Checks and catalog updates happen synchronously, in one turn of the event
// loop, so a precondition checked by a handler and the commit that follows cannot interleave with another
// request; persistence follows, in order per record.

import { FolderBlobs } from './folder-blobs.js';
import { MemoryBlobs } from './memory-blobs.js';
import type { BlobStore } from './blob-store.js';
import { compareNames as compare, lowerBound } from './name-order.js';
import { FolderPersistence, noPersistence, type Persistence } from './persistence.js';
import type { BucketRecord, ObjectRecord } from './records.js';

interface BucketState {
  record: BucketRecord;
  names: string[];
  objects: Map<string, ObjectRecord>;
}

export class Store {
  readonly blobs: BlobStore;
  readonly #persist: Persistence;
  readonly #buckets = new Map<string, BucketState>();
  #lastGeneration = 0n;

  private constructor(blobs: BlobStore, persist: Persistence) {
    this.blobs = blobs;
    this.#persist = persist;
  }

  static memory(): Store {
    return new Store(new MemoryBlobs(), noPersistence);
  }

  /** Opens (or creates) a store in `dir`, reloading what an earlier run left and dropping orphan blobs. */
  static async folder(dir: string): Promise<Store> {
    const blobs = await FolderBlobs.open(dir);
    const persist = new FolderPersistence(dir);
    const store = new Store(blobs, persist);
    const { buckets, objects } = await persist.load();
    for (const record of buckets) store.#buckets.set(record.name, { record, names: [], objects: new Map() });
    const live = new Set<string>();
    for (const o of objects) {
      const state = store.#buckets.get(o.bucket);
      if (!state) continue;
      state.objects.set(o.name, o);
      live.add(o.blob);
      const g = BigInt(o.generation);
      if (g > store.#lastGeneration) store.#lastGeneration = g;
    }
    for (const state of store.#buckets.values()) state.names = [...state.objects.keys()].sort(compare);
    for (const id of await blobs.ids()) if (!live.has(id)) await blobs.remove(id);
    return store;
  }

  /** A new generation: microseconds since the epoch, strictly increasing (spec 8.2). */
  nextGeneration(nowMs: number): string {
    const now = BigInt(Math.floor(nowMs)) * 1000n;
    this.#lastGeneration = now > this.#lastGeneration ? now : this.#lastGeneration + 1n;
    return this.#lastGeneration.toString();
  }

  listBuckets(): BucketRecord[] {
    return [...this.#buckets.values()].map((s) => s.record).sort((a, b) => compare(a.name, b.name));
  }

  bucket(name: string): BucketRecord | undefined {
    return this.#buckets.get(name)?.record;
  }

  async createBucket(record: BucketRecord): Promise<void> {
    this.#buckets.set(record.name, { record, names: [], objects: new Map() });
    await this.#persist.saveBucket(record);
  }

  async updateBucket(record: BucketRecord): Promise<void> {
    const state = this.#buckets.get(record.name);
    if (!state) throw new Error(`emulator: no bucket ${record.name}`);
    state.record = record;
    await this.#persist.saveBucket(record);
  }

  async deleteBucket(name: string): Promise<void> {
    this.#buckets.delete(name);
    await this.#persist.removeBucket(name);
  }

  /** Live object names of a bucket in listing order (read-only view). */
  names(bucket: string): readonly string[] {
    return this.#buckets.get(bucket)?.names ?? [];
  }

  object(bucket: string, name: string): ObjectRecord | undefined {
    return this.#buckets.get(bucket)?.objects.get(name);
  }

  /** Publishes a record (new object, new generation or metadata change). The replaced blob is freed. */
  async putObject(record: ObjectRecord): Promise<void> {
    const state = this.#buckets.get(record.bucket);
    if (!state) throw new Error(`emulator: no bucket ${record.bucket}`);
    const old = state.objects.get(record.name);
    if (!old) state.names.splice(lowerBound(state.names, record.name), 0, record.name);
    state.objects.set(record.name, record);
    await this.#persist.saveObject(record);
    if (old && old.blob !== record.blob) await this.blobs.remove(old.blob);
  }

  async deleteObject(bucket: string, name: string): Promise<void> {
    const state = this.#buckets.get(bucket);
    const old = state?.objects.get(name);
    if (!state || !old) return;
    state.objects.delete(name);
    state.names.splice(lowerBound(state.names, name), 1);
    await this.#persist.removeObject(bucket, name);
    await this.blobs.remove(old.blob);
  }
}
