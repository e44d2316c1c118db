// An in-process StorageBackend that keeps buckets and live objects in memory and honours every guarantee
// written in storage/backend.ts the way the service does (generations from an injected Clock, preconditions,
// byte-ordered listings with roll-up, ranges and 416, copy/compose, ACLs). It keeps no noncurrent versions
// and does no auth. Each method validates, then mutates in one synchronous step, so a concurrent caller
// sees the old state or the new one, never a mix (the atomicity the real service gives).

import { systemClock } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import type {
  CallOptions,
  ComposeSource,
  CopyOptions,
  CreateBucketOptions,
  DeleteOptions,
  ObjectReadStream,
  ReadOptions,
  StorageBackend,
  WriteSource,
  WriteOptions,
} from '../backend.js';
import { hashBuffer, md5Hex } from '../checksums.js';
import { paginate } from '../paginate.js';
import { StorageError, checkAborted } from '../errors.js';
import type {
  Acl,
  AclTarget,
  BucketMeta,
  CannedAcl,
  Generation,
  ListOptions,
  ListPage,
  ObjectMeta,
  Preconditions,
  WritableMetadata,
} from '../types.js';
import { aclFromDefault, canonicalId, cannedAcl, defaultObjectAcl } from './canned-acls.js';
import { decodePageToken, encodePageToken, listNames } from './listing.js';
import { checkBucketName, checkObjectName, compareNames } from './names.js';
import {
  applyMetadata,
  checkPreconditions,
  cloneMeta,
  readSource,
  run,
  sameGenerationMeta,
} from './object-helpers.js';
import { writableOf } from '../writable-metadata.js';
import { bodyStream, selectRange } from './read-body.js';
import { readAcl, writeAcl } from './acl-ops.js';
import { bucketOf, objectOf } from './store.js';
import type { StoredBucket, StoredObject } from './store.js';

export interface MemoryBackendOptions {
  clock?: Clock;
  /** Project of buckets created without one (default 'test-project'). */
  project?: string;
  /** Canonical ID of the (only) caller, owner of everything it creates. */
  ownerId?: string;
  /** Data of a metadata update: 'new-generation' (default) is what the XML API does (a copy onto itself);
   *  'metageneration' keeps the generation and bumps the metageneration, as the JSON API does. */
  metadataUpdate?: 'new-generation' | 'metageneration';
}

export const MAX_COMPOSE_SOURCES = 32;
const MAX_PAGE_SIZE = 1000;

export class MemoryBackend implements StorageBackend {
  readonly clock: Clock;
  readonly project: string;
  readonly ownerId: string;
  readonly #metadataUpdate: 'new-generation' | 'metageneration';
  readonly #buckets = new Map<string, StoredBucket>();
  #lastGeneration = 0n;

  constructor(options: MemoryBackendOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.project = options.project ?? 'test-project';
    this.ownerId = options.ownerId ?? canonicalId('memory-backend-owner');
    this.#metadataUpdate = options.metadataUpdate ?? 'new-generation';
  }

  /** max(now in µs, last + 1): unique and increasing even when the clock stands still (spec §8.2). */
  #nextGeneration(): Generation {
    const now = BigInt(Math.floor(this.clock.now())) * 1000n;
    this.#lastGeneration = now > this.#lastGeneration ? now : this.#lastGeneration + 1n;
    return this.#lastGeneration.toString();
  }

  #bucket(name: string): StoredBucket {
    return bucketOf(this.#buckets, name);
  }

  #object(bucket: StoredBucket, name: string, generation?: Generation): StoredObject {
    return objectOf(bucket, name, generation);
  }

  #parties(bucket: StoredBucket): { owner: string; bucketOwner: string; project: string } {
    return { owner: this.ownerId, bucketOwner: this.ownerId, project: bucket.project };
  }

  /** ACL of a new object: the canned one, else the bucket's default object ACL owned by the writer. */
  #newObjectAcl(bucket: StoredBucket, canned: CannedAcl | undefined): Acl {
    if (canned !== undefined) return cannedAcl(canned, 'object', this.#parties(bucket));
    return aclFromDefault(bucket.defaultObjectAcl, this.ownerId);
  }

  /** Stores a new generation under `name` (the one place objects are created). */
  #put(
    bucket: StoredBucket,
    name: string,
    data: Buffer,
    metadata: WritableMetadata,
    acl: Acl,
    composite?: number,
  ): ObjectMeta {
    const hashes = hashBuffer(data, { md5: composite === undefined });
    const generation = this.#nextGeneration();
    const meta: ObjectMeta = {
      bucket: bucket.meta.name,
      name,
      size: data.length,
      generation,
      metageneration: '1',
      updated: new Date(this.clock.now()),
      // Simple objects: the hex MD5; composite ones: opaque, but it changes with the data.
      etag: `"${hashes.md5 === undefined ? `${generation}-${composite ?? 0}` : md5Hex(hashes.md5)}"`,
      contentType: 'application/octet-stream',
      metadata: {},
    };
    if (hashes.crc32c !== undefined) meta.crc32c = hashes.crc32c;
    if (hashes.md5 !== undefined) meta.md5 = hashes.md5;
    if (composite !== undefined) meta.componentCount = composite;
    applyMetadata(meta, metadata, bucket.storageClass);
    bucket.objects.set(name, { meta, data, acl });
    return cloneMeta(meta);
  }

  // ---- buckets ----

  listBuckets(options: CallOptions & { project?: string } = {}): Promise<BucketMeta[]> {
    return run(options, () => {
      const project = options.project ?? this.project;
      return [...this.#buckets.values()]
        .filter((b) => b.project === project)
        .map((b) => ({ name: b.meta.name, created: new Date(b.meta.created) }))
        .sort((a, b) => compareNames(a.name, b.name));
    });
  }

  createBucket(name: string, options: CreateBucketOptions = {}): Promise<void> {
    return run(options, () => {
      checkBucketName(name);
      if (this.#buckets.has(name)) {
        throw new StorageError('already-exists', `bucket ${name} already exists`, {
          bucket: name,
          status: 409,
          serviceCode: 'BucketAlreadyOwnedByYou',
        });
      }
      const project = options.project ?? this.project;
      const parties = { owner: this.ownerId, bucketOwner: this.ownerId, project };
      this.#buckets.set(name, {
        meta: { name, created: new Date(this.clock.now()) },
        project,
        location: options.location ?? 'US',
        storageClass: options.storageClass ?? 'STANDARD',
        metageneration: 1,
        acl: cannedAcl(options.cannedAcl ?? 'project-private', 'bucket', parties),
        defaultObjectAcl: defaultObjectAcl('project-private', parties),
        objects: new Map(),
      });
    });
  }

  headBucket(name: string, options: CallOptions = {}): Promise<void> {
    return run(options, () => {
      this.#bucket(name);
    });
  }

  deleteBucket(name: string, options: CallOptions = {}): Promise<void> {
    return run(options, () => {
      const b = this.#bucket(name);
      if (b.objects.size > 0) {
        throw new StorageError('bucket-not-empty', `bucket ${name} is not empty`, {
          bucket: name,
          status: 409,
          serviceCode: 'BucketNotEmpty',
        });
      }
      this.#buckets.delete(name);
    });
  }

  // ---- listing ----

  listPage(
    bucket: string,
    options: ListOptions & CallOptions & { pageToken?: string } = {},
  ): Promise<ListPage> {
    return run(options, () => {
      const b = this.#bucket(bucket);
      const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
        throw new StorageError('invalid-argument', `page size must be 1..${MAX_PAGE_SIZE}`, { bucket });
      }
      const after = options.pageToken !== undefined ? decodePageToken(options.pageToken) : options.startAfter;
      const sorted = [...b.objects.keys()].sort(compareNames);
      const query = { prefix: options.prefix ?? '', pageSize, ...(after === undefined ? {} : { after }) };
      const slice = listNames(
        sorted,
        options.delimiter === undefined ? query : { ...query, delimiter: options.delimiter },
      );
      const page: ListPage = {
        objects: slice.names.map((n) => {
          const { name, size, generation, metageneration, updated, etag } = this.#object(b, n).meta;
          return { name, size, generation, metageneration, updated: new Date(updated), etag };
        }),
        prefixes: slice.prefixes,
      };
      if (slice.resumeAfter !== undefined) page.nextPageToken = encodePageToken(slice.resumeAfter);
      return page;
    });
  }

  list(bucket: string, options: ListOptions & CallOptions = {}): AsyncIterable<ListPage> {
    return paginate(bucket, options, (o) => this.listPage(bucket, o));
  }

  // ---- objects ----

  statObject(
    bucket: string,
    name: string,
    options: CallOptions & { generation?: Generation } = {},
  ): Promise<ObjectMeta> {
    return run(options, () => cloneMeta(this.#object(this.#bucket(bucket), name, options.generation).meta));
  }

  readObject(bucket: string, name: string, options: ReadOptions = {}): Promise<ObjectReadStream> {
    return run(options, () => {
      const o = this.#object(this.#bucket(bucket), name, options.generation);
      const data = selectRange(o.data, options.range, bucket, name);
      const body = bodyStream(data, options.signal, bucket, name);
      const size = o.data.length;
      return { body, generation: o.meta.generation, size };
    });
  }

  async writeObject(
    bucket: string,
    name: string,
    source: WriteSource,
    options: WriteOptions = {},
  ): Promise<ObjectMeta> {
    checkAborted(options.signal);
    const b = this.#bucket(bucket);
    checkObjectName(bucket, name);
    const acl = this.#newObjectAcl(b, options.cannedAcl);
    // Fail early (before reading the data) when the precondition is already false; checked again below.
    checkPreconditions(b.objects.get(name)?.meta, options, bucket, name);
    const data = await readSource(source, options.signal);
    checkAborted(options.signal);
    const live = this.#bucket(bucket);
    checkPreconditions(live.objects.get(name)?.meta, options, bucket, name);
    return this.#put(live, name, data, options, acl);
  }

  copyObject(
    source: { bucket: string; name: string },
    destination: { bucket: string; name: string },
    options: CopyOptions = {},
  ): Promise<ObjectMeta> {
    return run(options, () => {
      const src = this.#object(this.#bucket(source.bucket), source.name, options.sourceGeneration);
      const dst = this.#bucket(destination.bucket);
      checkObjectName(destination.bucket, destination.name);
      if (
        source.bucket === destination.bucket &&
        source.name === destination.name &&
        options.replaceMetadata === undefined
      ) {
        throw new StorageError(
          'invalid-argument',
          'copying an object onto itself needs replacement metadata',
          {
            bucket: destination.bucket,
            object: destination.name,
            serviceCode: 'InvalidArgument',
          },
        );
      }
      checkPreconditions(
        dst.objects.get(destination.name)?.meta,
        options,
        destination.bucket,
        destination.name,
      );
      const metadata = options.replaceMetadata ?? writableOf(src.meta);
      const acl = this.#newObjectAcl(dst, options.cannedAcl);
      return this.#put(dst, destination.name, src.data, metadata, acl, src.meta.componentCount);
    });
  }

  composeObject(
    bucket: string,
    destination: string,
    sources: ComposeSource[],
    options: WritableMetadata & Preconditions & CallOptions = {},
  ): Promise<ObjectMeta> {
    return run(options, () => {
      const b = this.#bucket(bucket);
      checkObjectName(bucket, destination);
      if (sources.length < 1 || sources.length > MAX_COMPOSE_SOURCES) {
        throw new StorageError(
          'invalid-argument',
          `compose takes 1 to ${MAX_COMPOSE_SOURCES} sources, got ${sources.length}`,
          {
            bucket,
            object: destination,
            serviceCode: 'InvalidArgument',
          },
        );
      }
      const parts = sources.map((s) => this.#object(b, s.name, s.generation));
      checkPreconditions(b.objects.get(destination)?.meta, options, bucket, destination);
      const components = parts.reduce((n, p) => n + (p.meta.componentCount ?? 1), 0);
      const data = Buffer.concat(parts.map((p) => p.data));
      return this.#put(b, destination, data, options, this.#newObjectAcl(b, undefined), components);
    });
  }

  updateObjectMetadata(
    bucket: string,
    name: string,
    metadata: WritableMetadata,
    options: Preconditions & CallOptions = {},
  ): Promise<ObjectMeta> {
    return run(options, () => {
      const b = this.#bucket(bucket);
      const o = this.#object(b, name);
      checkPreconditions(o.meta, options, bucket, name);
      if (this.#metadataUpdate === 'new-generation') {
        return this.#put(b, name, o.data, metadata, o.acl, o.meta.componentCount);
      }
      const meta = sameGenerationMeta(o.meta, this.clock.now());
      applyMetadata(meta, metadata, o.meta.storageClass ?? b.storageClass);
      o.meta = meta;
      return cloneMeta(meta);
    });
  }

  deleteObject(bucket: string, name: string, options: DeleteOptions = {}): Promise<void> {
    return run(options, () => {
      const b = this.#bucket(bucket);
      const o = this.#object(b, name, options.generation);
      checkPreconditions(o.meta, options, bucket, name);
      b.objects.delete(name);
    });
  }

  /** The fake has no sessions (a growing source is taken whole once it ends). */
  cancelUpload(_bucket: string, _name: string, _session: string, options: CallOptions = {}): Promise<void> {
    return run(options, () => undefined);
  }

  // ---- ACLs ----

  getAcl(target: AclTarget, options: CallOptions = {}): Promise<Acl> {
    return run(options, () => readAcl(this.#bucket(target.bucket), target));
  }

  setAcl(target: AclTarget, acl: Acl | CannedAcl, options: Preconditions & CallOptions = {}): Promise<void> {
    return run(options, () => {
      const b = this.#bucket(target.bucket);
      writeAcl(b, target, acl, options, this.#parties(b), this.clock.now());
    });
  }
}
