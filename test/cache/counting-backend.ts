// A small in-test StorageBackend that keeps objects in maps and counts every call, so cache tests can prove
// a hit made no backend call and an expiry made one. Deliberately minimal (no ACL documents, no pages
// beyond pageSize slicing); storage/fake/memory-backend.ts is the full fake.
import { Readable } from 'node:stream';
import type {
  CallOptions,
  ComposeSource,
  CopyOptions,
  DeleteOptions,
  ObjectReadStream,
  ReadOptions,
  StorageBackend,
  UploadSource,
  WriteOptions,
} from '../../storage/backend.js';
import { StorageError } from '../../storage/errors.js';
import type {
  Acl,
  AclTarget,
  BucketMeta,
  CannedAcl,
  ListOptions,
  ListPage,
  ListedObject,
  ObjectMeta,
  Preconditions,
  WritableMetadata,
} from '../../storage/types.js';

export function objectMeta(bucket: string, name: string, over: Partial<ObjectMeta> = {}): ObjectMeta {
  return {
    bucket,
    name,
    size: 3,
    generation: '1',
    metageneration: '1',
    updated: new Date(1_700_000_000_000),
    etag: '"e"',
    contentType: 'application/octet-stream',
    metadata: {},
    ...over,
  };
}

interface Stored {
  meta: ObjectMeta;
  data: Buffer;
}

export class CountingBackend implements StorageBackend {
  readonly calls = new Map<string, number>();
  readonly buckets = new Map<string, Map<string, Stored>>();
  #generation = 100;
  /** Awaited at the start of every call: lets a test hold a call in flight. */
  gate: ((method: string) => Promise<void>) | undefined;
  /** Awaited after statObject/listPage computed their answer and before they return it: lets a test make
   *  a call answer with what was true when it started (a slow response). */
  lateGate: ((method: string) => Promise<void>) | undefined;
  /** Thrown by the next call of that method (once). */
  readonly failNext = new Map<string, StorageError>();

  constructor(...buckets: string[]) {
    for (const b of buckets) this.buckets.set(b, new Map());
  }

  count(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  get total(): number {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  /** Puts an object behind the cache's back (another client writing). */
  put(bucket: string, name: string, data = Buffer.from('abc'), over: Partial<ObjectMeta> = {}): ObjectMeta {
    const meta = objectMeta(bucket, name, {
      size: data.length,
      generation: String(++this.#generation),
      ...over,
    });
    this.#bucket(bucket).set(name, { meta, data });
    return meta;
  }

  /** Deletes an object behind the cache's back. */
  remove(bucket: string, name: string): void {
    this.#bucket(bucket).delete(name);
  }

  async #enter(method: string): Promise<void> {
    this.calls.set(method, this.count(method) + 1);
    await this.gate?.(method);
    const failure = this.failNext.get(method);
    if (failure) {
      this.failNext.delete(method);
      throw failure;
    }
  }

  async #late<T>(method: string, compute: () => T): Promise<T> {
    let result: { ok: T } | { error: unknown };
    try {
      result = { ok: compute() };
    } catch (error) {
      result = { error };
    }
    await this.lateGate?.(method);
    if ('error' in result) throw result.error;
    return result.ok;
  }

  #bucket(name: string): Map<string, Stored> {
    const b = this.buckets.get(name);
    if (!b) throw new StorageError('bucket-not-found', `no bucket ${name}`, { bucket: name });
    return b;
  }

  #object(bucket: string, name: string): Stored {
    const o = this.#bucket(bucket).get(name);
    if (!o) throw new StorageError('not-found', `no object ${name}`, { bucket, object: name });
    return o;
  }

  #check(bucket: string, name: string, pre: Preconditions): void {
    const live = this.#bucket(bucket).get(name);
    if (pre.ifGenerationMatch !== undefined && (live?.meta.generation ?? '0') !== pre.ifGenerationMatch) {
      throw new StorageError('precondition-failed', 'generation mismatch');
    }
    if (pre.ifMetagenerationMatch !== undefined && live?.meta.metageneration !== pre.ifMetagenerationMatch) {
      throw new StorageError('precondition-failed', 'metageneration mismatch');
    }
  }

  #store(bucket: string, name: string, data: Buffer, md: WritableMetadata): ObjectMeta {
    const meta = objectMeta(bucket, name, {
      size: data.length,
      generation: String(++this.#generation),
      contentType: md.contentType ?? 'application/octet-stream',
      metadata: { ...md.metadata },
    });
    this.#bucket(bucket).set(name, { meta, data });
    return structuredClone(meta);
  }

  async listBuckets(): Promise<BucketMeta[]> {
    await this.#enter('listBuckets');
    return [...this.buckets.keys()].sort().map((name) => ({ name, created: new Date(0) }));
  }

  async createBucket(name: string): Promise<void> {
    await this.#enter('createBucket');
    if (this.buckets.has(name)) throw new StorageError('already-exists', name);
    this.buckets.set(name, new Map());
  }

  async headBucket(name: string): Promise<void> {
    await this.#enter('headBucket');
    this.#bucket(name);
  }

  async deleteBucket(name: string): Promise<void> {
    await this.#enter('deleteBucket');
    if (this.#bucket(name).size > 0) throw new StorageError('bucket-not-empty', name);
    this.buckets.delete(name);
  }

  async listPage(bucket: string, options: ListOptions & { pageToken?: string } = {}): Promise<ListPage> {
    await this.#enter('listPage');
    return this.#late('listPage', () => {
      const prefix = options.prefix ?? '';
      const after = options.pageToken ?? options.startAfter ?? '';
      const names = [...this.#bucket(bucket).keys()].filter((n) => n.startsWith(prefix) && n > after).sort();
      const objects: ListedObject[] = [];
      const prefixes: string[] = [];
      let last = '';
      for (const name of names) {
        if (objects.length + prefixes.length >= (options.pageSize ?? 1000)) {
          return { objects, prefixes, nextPageToken: last };
        }
        const cut = options.delimiter ? name.indexOf(options.delimiter, prefix.length) : -1;
        if (cut !== -1) {
          const p = name.slice(0, cut + 1);
          if (prefixes.at(-1) !== p) prefixes.push(p);
          last = `${p}\uffff`;
          continue;
        }
        const { meta } = this.#object(bucket, name);
        objects.push({
          name,
          size: meta.size,
          generation: meta.generation,
          metageneration: meta.metageneration,
          updated: meta.updated,
          etag: meta.etag,
        });
        last = name;
      }
      return { objects, prefixes };
    });
  }

  async *list(bucket: string, options: ListOptions & CallOptions = {}): AsyncIterable<ListPage> {
    let pageToken: string | undefined;
    do {
      const page = await this.listPage(bucket, pageToken === undefined ? options : { ...options, pageToken });
      yield page;
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
  }

  async statObject(bucket: string, name: string): Promise<ObjectMeta> {
    await this.#enter('statObject');
    return this.#late('statObject', () => structuredClone(this.#object(bucket, name).meta));
  }

  async readObject(bucket: string, name: string, options: ReadOptions = {}): Promise<ObjectReadStream> {
    await this.#enter('readObject');
    const o = this.#object(bucket, name);
    if (options.generation !== undefined && options.generation !== o.meta.generation) {
      throw new StorageError('not-found', 'generation gone');
    }
    return { body: Readable.from([o.data]), generation: o.meta.generation, size: o.meta.size };
  }

  async writeObject(bucket: string, name: string, source: UploadSource, options: WriteOptions = {}) {
    await this.#enter('writeObject');
    this.#check(bucket, name, options);
    return this.#store(bucket, name, Buffer.isBuffer(source) ? source : Buffer.alloc(source.size), options);
  }

  async copyObject(
    source: { bucket: string; name: string },
    destination: { bucket: string; name: string },
    options: CopyOptions = {},
  ) {
    await this.#enter('copyObject');
    const from = this.#object(source.bucket, source.name);
    this.#check(destination.bucket, destination.name, options);
    return this.#store(destination.bucket, destination.name, from.data, options.replaceMetadata ?? from.meta);
  }

  async composeObject(
    bucket: string,
    destination: string,
    sources: ComposeSource[],
    options: WritableMetadata & Preconditions = {},
  ) {
    await this.#enter('composeObject');
    const data = Buffer.concat(sources.map((s) => this.#object(bucket, s.name).data));
    this.#check(bucket, destination, options);
    return this.#store(bucket, destination, data, options);
  }

  async updateObjectMetadata(
    bucket: string,
    name: string,
    metadata: WritableMetadata,
    options: Preconditions = {},
  ) {
    await this.#enter('updateObjectMetadata');
    const o = this.#object(bucket, name);
    this.#check(bucket, name, options);
    return this.#store(bucket, name, o.data, metadata);
  }

  async deleteObject(bucket: string, name: string, options: DeleteOptions = {}): Promise<void> {
    await this.#enter('deleteObject');
    this.#object(bucket, name);
    this.#check(bucket, name, options);
    this.#bucket(bucket).delete(name);
  }

  async getAcl(_target: AclTarget): Promise<Acl> {
    await this.#enter('getAcl');
    return { entries: [] };
  }

  async setAcl(target: AclTarget, _acl: Acl | CannedAcl): Promise<void> {
    await this.#enter('setAcl');
    if (target.kind === 'object') {
      const o = this.#object(target.bucket, target.name);
      o.meta = { ...o.meta, metageneration: String(BigInt(o.meta.metageneration) + 1n) };
    }
  }
}
