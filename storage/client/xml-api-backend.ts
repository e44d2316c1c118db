// StorageBackend over the GCS XML API: builds the client context (transport, credentials, clock, retry
// options) and delegates each method to its module (buckets, objects, list-objects, uploads, copy-compose,
// acl). No protocol logic lives here; each module's header says what it owns.

import { randomInt } from 'node:crypto';
import { systemClock } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import { silentLogger } from '../../common/logger.js';
import type { Logger } from '../../common/logger.js';
import type { Credentials } from '../auth/credentials.js';
import { isGrowing } from '../backend.js';
import type {
  CallOptions,
  ComposeSource,
  CopyOptions,
  CreateBucketOptions,
  DeleteOptions,
  ObjectReadStream,
  ReadOptions,
  StorageBackend,
  WriteOptions,
  WriteSource,
} from '../backend.js';
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
import * as acl from './acl.js';
import * as buckets from './buckets.js';
import * as copyCompose from './copy-compose.js';
import type { ClientContext } from './exchange.js';
import { createHttpTransport, DEFAULT_TIMEOUTS } from './http.js';
import type { HttpTimeouts } from './http.js';
import * as listing from './list-objects.js';
import * as objects from './objects.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import type { RetryOptions } from './retry-policy.js';
import type { RetryContext } from './retry.js';
import { DEFAULT_UPLOAD_THRESHOLDS, upload } from './uploads.js';
import type { UploadResult, UploadThresholds } from './uploads.js';
import { metaFromUpload } from './upload-meta.js';
import { sourceSize } from './upload-source.js';
import { cancelSession } from './resumable-session.js';
import { streamingUpload } from './streaming-upload.js';
import { pickWritable } from '../writable-metadata.js';

export interface XmlApiBackendOptions {
  /** e.g. `https://storage.googleapis.com` or an emulator's `http://127.0.0.1:4443`. */
  endpoint: string;
  credentials: Credentials;
  /** Default project for bucket listing and creation (x-goog-project-id). */
  project?: string;
  /** Project billed for the requests, for requester-pays buckets (x-goog-user-project). */
  userProject?: string;
  /** Most parallel connections to the endpoint; 0: no limit. */
  maxConnections?: number;
  clock?: Clock;
  logger?: Logger;
  retry?: Partial<RetryOptions>;
  timeouts?: Partial<HttpTimeouts>;
  userAgent?: string;
  uploadThresholds?: Partial<UploadThresholds>;
  /** Uniform in [0, 1), for backoff jitter (tests pass a fixed one). */
  random?: () => number;
  /** Told of every retry (metrics count them here). */
  onRetry?: RetryContext['onRetry'];
}

export class XmlApiBackend implements StorageBackend {
  readonly #ctx: ClientContext;
  readonly #thresholds: UploadThresholds;

  constructor(options: XmlApiBackendOptions) {
    const endpoint = new URL(options.endpoint);
    this.#ctx = {
      endpoint,
      transport: createHttpTransport({ ...DEFAULT_TIMEOUTS, ...options.timeouts }, options.maxConnections),
      credentials: options.credentials,
      clock: options.clock ?? systemClock,
      random: options.random ?? ((): number => randomInt(0, 2 ** 32) / 2 ** 32),
      retry: { ...DEFAULT_RETRY, ...options.retry },
      logger: (options.logger ?? silentLogger).child({ component: 'xml-api', endpoint: endpoint.origin }),
      userAgent: options.userAgent ?? 'gcsmount',
      project: options.project,
      onRetry: options.onRetry,
      userProject: options.userProject,
    };
    this.#thresholds = { ...DEFAULT_UPLOAD_THRESHOLDS, ...options.uploadThresholds };
  }

  /** Closes pooled connections. */
  close(): Promise<void> {
    return this.#ctx.transport.close();
  }

  listBuckets(options?: CallOptions & { project?: string }): Promise<BucketMeta[]> {
    return buckets.listBuckets(this.#ctx, options);
  }

  createBucket(name: string, options?: CreateBucketOptions): Promise<void> {
    return buckets.createBucket(this.#ctx, name, options);
  }

  headBucket(name: string, options?: CallOptions): Promise<void> {
    return buckets.headBucket(this.#ctx, name, options);
  }

  deleteBucket(name: string, options?: CallOptions): Promise<void> {
    return buckets.deleteBucket(this.#ctx, name, options);
  }

  listPage(bucket: string, options?: ListOptions & CallOptions & { pageToken?: string }): Promise<ListPage> {
    return listing.listPage(this.#ctx, bucket, options);
  }

  list(bucket: string, options?: ListOptions & CallOptions): AsyncIterable<ListPage> {
    return listing.listAll(this.#ctx, bucket, options);
  }

  statObject(
    bucket: string,
    name: string,
    options?: CallOptions & { generation?: Generation },
  ): Promise<ObjectMeta> {
    return objects.statObject(this.#ctx, bucket, name, options);
  }

  readObject(bucket: string, name: string, options?: ReadOptions): Promise<ObjectReadStream> {
    return objects.readObject(this.#ctx, bucket, name, options);
  }

  async writeObject(
    bucket: string,
    name: string,
    source: WriteSource,
    options: WriteOptions = {},
  ): Promise<ObjectMeta> {
    const result: UploadResult & { size: number } = isGrowing(source)
      ? await streamingUpload(this.#ctx, bucket, name, source, options, this.#thresholds.chunkSize)
      : {
          ...(await upload(this.#ctx, bucket, name, source, options, this.#thresholds)),
          size: sourceSize(source),
        };
    // Everything a HEAD would say is known from what was sent and the answer's headers (no HEAD per PUT);
    // an upload settled by asking the store (its answer was lost) already has the object's metadata.
    const sent = { size: result.size, hashes: result.hashes, written: pickWritable(options) };
    return (
      result.meta ??
      metaFromUpload(bucket, name, result.headers, sent) ??
      objects.describeWritten(this.#ctx, bucket, name, result.headers, options.signal)
    );
  }

  copyObject(
    source: { bucket: string; name: string },
    destination: { bucket: string; name: string },
    options?: CopyOptions,
  ): Promise<ObjectMeta> {
    return copyCompose.copyObject(this.#ctx, source, destination, options);
  }

  composeObject(
    bucket: string,
    destination: string,
    sources: ComposeSource[],
    options?: WritableMetadata & Preconditions & CallOptions,
  ): Promise<ObjectMeta> {
    return copyCompose.composeObject(this.#ctx, bucket, destination, sources, options);
  }

  updateObjectMetadata(
    bucket: string,
    name: string,
    metadata: WritableMetadata,
    options?: Preconditions & CallOptions,
  ): Promise<ObjectMeta> {
    return copyCompose.updateObjectMetadata(this.#ctx, bucket, name, metadata, options);
  }

  deleteObject(bucket: string, name: string, options?: DeleteOptions): Promise<void> {
    return objects.deleteObject(this.#ctx, bucket, name, options);
  }

  cancelUpload(_bucket: string, _name: string, session: string, options?: CallOptions): Promise<void> {
    return cancelSession(this.#ctx, new URL(session, this.#ctx.endpoint), options?.signal);
  }

  getAcl(target: AclTarget, options?: CallOptions): Promise<Acl> {
    return acl.getAcl(this.#ctx, target, options);
  }

  setAcl(target: AclTarget, value: Acl | CannedAcl, options?: Preconditions & CallOptions): Promise<void> {
    return acl.setAcl(this.#ctx, target, value, options);
  }
}
