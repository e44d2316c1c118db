// The one interface between the mount and a store. The XML API client (storage/client), the in-memory fake
// (storage/fake/memory-backend.ts) and decorators (the fault injector, cache/cached-backend.ts, over
// storage/forwarding-backend.ts) implement it;
// a shared contract suite (test/storage/backend-contract.ts) holds every implementation to the guarantees
// written on each method below. Nothing here knows about FUSE, paths or caches.
//
// Common guarantees:
// - Strong consistency: a successful mutation is visible to every later call (read, stat, list).
// - Missing bucket -> StorageError 'bucket-not-found'; missing object -> 'not-found'.
// - A false precondition -> 'precondition-failed'; `ifGenerationMatch: '0'` means "must not exist".
// - Every call takes an optional AbortSignal; aborting rejects with 'aborted' and leaves no partial object.

import type { Readable } from 'node:stream';
import type {
  Acl,
  AclTarget,
  BucketMeta,
  ByteRange,
  CannedAcl,
  Generation,
  ListOptions,
  ListPage,
  ObjectMeta,
  Preconditions,
  WritableMetadata,
} from './types.js';

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CreateBucketOptions extends CallOptions {
  /** Project that owns the bucket; the backend's default project when absent. */
  project?: string;
  location?: string;
  storageClass?: string;
  cannedAcl?: CannedAcl;
}

export interface ReadOptions extends CallOptions {
  range?: ByteRange;
  /** Read this generation; 'not-found' if it is no longer the live one (or no longer exists). */
  generation?: Generation;
}

export interface ObjectReadStream {
  /** The bytes asked for: the whole object, or the range clamped to its end. */
  body: Readable;
  /** Generation and size of the object the bytes came from. */
  generation: Generation;
  size: number;
}

/** Where upload bytes come from. A Buffer is re-sendable as is; a source can be reopened at any offset so
 *  that a retried or resumed upload never needs the caller's help. */
export type UploadSource = Buffer | { size: number; open(offset: number): Readable };

/** A source whose size is not known yet: a file still being written sequentially (the mount streams it
 *  while it is written). Readable bytes never change; the owner grows it, then ends it (the total is then
 *  known) or aborts the write through its signal. A backend uploads it as it grows (the XML client: a
 *  resumable session, `Content-Range: bytes a-b/*`) or reads it whole once ended (the fake); either way
 *  writeObject resolves after the end, and an abort leaves no object. Why a source and not a session
 *  object: every decorator (cache invalidation, metrics, fault injection) keeps seeing one writeObject. */
export interface GrowingSource {
  readonly kind: 'growing';
  /** Bytes readable now. */
  available(): number;
  /** The final size, once the owner has ended the source (available() is then that size). */
  total(): number | undefined;
  /** Resolves once available() >= upTo or the source has ended; rejects 'aborted' on the signal. */
  wait(upTo: number, signal?: AbortSignal): Promise<void>;
  /** `length` bytes at `offset`, all of them within available(). */
  read(offset: number, length: number): Promise<Buffer>;
}

/** What writeObject takes. */
export type WriteSource = UploadSource | GrowingSource;

export function isGrowing(source: WriteSource): source is GrowingSource {
  return !Buffer.isBuffer(source) && 'kind' in source;
}

export interface WriteOptions extends WritableMetadata, Preconditions, CallOptions {
  cannedAcl?: CannedAcl;
  /** Resumable uploads only (a backend without sessions ignores it). */
  resumable?: ResumableHooks;
}

/** What a caller that must survive its own crash (the mount's journal) needs of a resumable upload. */
export interface ResumableHooks {
  /** A session started earlier (by a run that died): resumed where the store has it; a session that is
   *  gone (expired, never created) starts a new one, under the same preconditions. */
  session?: string;
  /** Told the session URL once it exists, then again after each chunk with the bytes the store confirmed;
   *  the upload waits for it (the journal writes it down first). */
  onProgress?(p: { session: string; persisted: number }): Promise<void> | void;
}

export interface CopyOptions extends Preconditions, CallOptions {
  /** Source generation to copy (default: the live one). */
  sourceGeneration?: Generation;
  /** When present, the destination gets exactly this metadata (REPLACE); otherwise the source's (COPY). */
  replaceMetadata?: WritableMetadata;
  cannedAcl?: CannedAcl;
}

export interface ComposeSource {
  name: string;
  generation?: Generation;
}

export interface DeleteOptions extends Preconditions, CallOptions {
  /** Delete exactly this generation. */
  generation?: Generation;
}

export interface StorageBackend {
  /** Buckets of the project (default project when absent), sorted by name. */
  listBuckets(options?: CallOptions & { project?: string }): Promise<BucketMeta[]>;
  /** Creates a bucket; 'already-exists' if the name is taken, 'invalid-name' if it breaks the rules. */
  createBucket(name: string, options?: CreateBucketOptions): Promise<void>;
  /** Resolves if the bucket exists and is accessible; 'bucket-not-found' otherwise. */
  headBucket(name: string, options?: CallOptions): Promise<void>;
  /** Deletes an empty bucket; 'bucket-not-empty' if any object remains. */
  deleteBucket(name: string, options?: CallOptions): Promise<void>;

  /** One page of a listing in byte order of names; with a delimiter, names containing it after the
   *  prefix are rolled up into `prefixes`. An object named exactly like the prefix is listed. */
  listPage(bucket: string, options?: ListOptions & CallOptions & { pageToken?: string }): Promise<ListPage>;
  /** Every page of a listing, fetching lazily. */
  list(bucket: string, options?: ListOptions & CallOptions): AsyncIterable<ListPage>;

  /** Metadata of the live object (or of `generation`). */
  statObject(
    bucket: string,
    name: string,
    options?: CallOptions & { generation?: Generation },
  ): Promise<ObjectMeta>;
  /** Streams the object's bytes; 'range-not-satisfiable' for a range starting at or past the end. */
  readObject(bucket: string, name: string, options?: ReadOptions): Promise<ObjectReadStream>;
  /** Creates or replaces the object atomically: readers see the old or the new content, never a mix.
   *  Content is verified (crc32c) end to end. A growing source is uploaded as it grows (or read once
   *  ended); the call resolves after its end. */
  writeObject(bucket: string, name: string, source: WriteSource, options?: WriteOptions): Promise<ObjectMeta>;
  /** Server-side copy; always a new generation at the destination. Preconditions apply to the destination. */
  copyObject(
    source: { bucket: string; name: string },
    destination: { bucket: string; name: string },
    options?: CopyOptions,
  ): Promise<ObjectMeta>;
  /** Concatenates 1..32 objects of `bucket` into `destination` (a new generation). */
  composeObject(
    bucket: string,
    destination: string,
    sources: ComposeSource[],
    options?: WritableMetadata & Preconditions & CallOptions,
  ): Promise<ObjectMeta>;
  /** Replaces the object's metadata (content is unchanged; the XML API makes this a new generation). */
  updateObjectMetadata(
    bucket: string,
    name: string,
    metadata: WritableMetadata,
    options?: Preconditions & CallOptions,
  ): Promise<ObjectMeta>;
  deleteObject(bucket: string, name: string, options?: DeleteOptions): Promise<void>;
  /** Cancels a resumable session (ResumableHooks.session: an upload a crash left half-way that will not
   *  be resumed), so the store drops its bytes; a session that is gone or finished is no error. A backend
   *  without sessions has nothing to do. */
  cancelUpload(bucket: string, name: string, session: string, options?: CallOptions): Promise<void>;

  getAcl(target: AclTarget, options?: CallOptions): Promise<Acl>;
  /** Replaces an ACL with a document or a canned ACL; an object's metageneration increases. */
  setAcl(target: AclTarget, acl: Acl | CannedAcl, options?: Preconditions & CallOptions): Promise<void>;
}
