// The composition root: the one place the daemon's object graph is built, in one documented order.
// remote(): the XML client, under the metrics decorator when metrics are on (it sees every request, below
// the caches). assemble(), over that backend or a test's: content cache (memory, then disk) -> metadata
// caches (CachedBackend, which drops content blocks on mutation) -> readdir's attribute prefetch -> reader
// -> namespace, handles, xattrs, writer, renamer -> the Filesystem facade, which receives them all and builds nothing itself. The FUSE
// adapter and lifecycle take the result.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import { defined } from '../common/defined.js';
import type { Logger } from '../common/logger.js';
import { ByteBudget } from '../cache/budget.js';
import { CachedBackend } from '../cache/cached-backend.js';
import { ContentCache } from '../cache/content-cache.js';
import { diskCacheRoom } from '../cache/disk-room.js';
import { DiskBlocks } from '../cache/disk-blocks.js';
import { ListingCache } from '../cache/listing-cache.js';
import { MemoryBlocks } from '../cache/memory-blocks.js';
import { MetadataCache } from '../cache/metadata-cache.js';
import { NameSet } from '../cache/name-set.js';
import type { Credentials } from '../storage/auth/credentials.js';
import type { StorageBackend } from '../storage/backend.js';
import type { RetryEvent } from '../storage/client/retry.js';
import { XmlApiBackend } from '../storage/client/xml-api-backend.js';
import { PROJECT_MOUNT, type MountConfig } from './config/mount-config.js';
import { AttrPrefetch } from './fs/attr-prefetch.js';
import { Filesystem } from './fs/filesystem.js';
import { FreshDirs } from './fs/fresh-dirs.js';
import { HandleTable } from './fs/handles.js';
import { keepParent } from './fs/keep-parent.js';
import { Namespace } from './fs/namespace.js';
import type { Layout } from './fs/paths.js';
import { Renamer } from './fs/rename.js';
import { Xattrs } from './fs/xattrs.js';
import { MetricsBackend } from './lifecycle/metrics-backend.js';
import { createMetrics, type Metrics } from './lifecycle/metrics.js';
import { Reader } from './read/reader.js';
import { INITIAL_WINDOW as MIN_WINDOW } from './read/window.js';
import { Writer } from './write/writer.js';
import { version } from './version.js';

export interface Assembled {
  fs: Filesystem;
  backend: CachedBackend;
  content: ContentCache;
  /** readdir's background attribute fetches (tests wait for them with idle()). */
  attrPrefetch: AttrPrefetch;
  /** SIGHUP: forget cached metadata (content stays valid: it is keyed by generation). */
  dropCaches(): void;
}

export type AssembleConfig = Pick<
  MountConfig,
  | 'bucket'
  | 'project'
  | 'onlyDir'
  | 'readOnly'
  | 'uid'
  | 'gid'
  | 'fileMode'
  | 'dirMode'
  | 'implicitDirs'
  | 'renameDirLimit'
  | 'cacheDir'
  | 'statCacheTtlMs'
  | 'typeCacheTtlMs'
  | 'negativeCacheTtlMs'
  | 'tempDir'
  | 'readAheadSize'
  | 'listCacheTtlMs'
  | 'listAhead'
  | 'statCacheMaxEntries'
  | 'memoryCacheSize'
  | 'diskCacheSize'
  | 'uploadConcurrency'
  | 'asyncUploads'
  | 'streamingUploads'
  | 'uploadDelayMs'
  | 'stagingMaxSize'
>;

/** Prefetch room beyond the memory cache: `--read-ahead-size`, shared by the runs streaming at once (each
 *  run's window cap is an equal share, window.ts, at least 1 MiB): one reader streams that far ahead, four
 *  readers a quarter each. Bytes buffered ahead of a reader add no throughput once the kernel's socket
 *  buffers cover the round trip; they add resident memory and garbage-collector work (P5 of issue 11). */
function readAheadAllowance(readAheadSize: number): number {
  return Math.max(readAheadSize, MIN_WINDOW);
}

/** The disk tier, bounded by what was asked for and by half of the free space (disk-room.ts). */
async function openDiskCache(
  cacheDir: string,
  wanted: number,
  logger: Logger,
): Promise<DiskBlocks | undefined> {
  await mkdir(cacheDir, { recursive: true, mode: 0o700 }); // the free space is read there
  const room = await diskCacheRoom(cacheDir, wanted);
  if (room.cutFrom !== undefined) {
    logger.info('disk content cache bounded by the free space of the cache dir', {
      cacheDir,
      asked: wanted,
      bound: room.bytes,
      free: room.cutFrom,
    });
  }
  return room.bytes > 0 ? DiskBlocks.open({ cacheDir, maxBytes: room.bytes, logger }) : undefined;
}

export async function assemble(
  raw: StorageBackend,
  c: AssembleConfig,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<Assembled> {
  // One budget for the memory cache and every handle's prefetch buffers: the cache's own bound plus twice
  // the read-ahead allowance, so the runs' windows, the 1 MiB each keeps behind and small random runs fit
  // beside a full cache. With less, they evict cached blocks that random runs never replace (random reads
  // cache nothing), and fio's random 4 KiB reads after a sequential read fell 2-8x in the bench.
  const readAhead = readAheadAllowance(c.readAheadSize);
  const budget = new ByteBudget(c.memoryCacheSize + 2 * readAhead);
  const memory = new MemoryBlocks({ maxBytes: c.memoryCacheSize, budget });
  const disk = c.diskCacheSize > 0 ? await openDiskCache(c.cacheDir, c.diskCacheSize, logger) : undefined;
  const content = new ContentCache({ memory, ...(disk ? { disk } : {}) });
  const backend = new CachedBackend(raw, {
    metadata: new MetadataCache({ ttlMs: c.statCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock }),
    // Absent names get their own short TTL (gcsfuse: 5 s): a file created elsewhere must show up soon.
    negative: new NameSet({ ttlMs: c.negativeCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock }),
    listings: new ListingCache({ ttlMs: c.listCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock }),
    content,
    ahead: { window: c.listAhead, clock },
    logger,
  });
  // Into the stat cache: useless when it is off, and never more jobs than it holds.
  const attrPrefetch = new AttrPrefetch({
    backend,
    maxQueued: c.statCacheTtlMs === 0 ? 0 : c.statCacheMaxEntries,
    known: (b, k) => backend.negative.has(b, k) || backend.metadata.getObject(b, k) !== undefined,
  });
  const project = c.bucket === PROJECT_MOUNT;
  // Failed uploads are kept beside the staged bytes, so keeping them is a rename on one file system.
  const tempDir = c.tempDir ?? c.cacheDir;
  const stagingDir = path.join(tempDir, 'staging');
  const keepDir = path.join(tempDir, 'failed-uploads');
  const spareDir = path.join(tempDir, 'spare');
  const onlyDir = c.onlyDir ? `${c.onlyDir.replace(/^\/+|\/+$/g, '')}/` : '';
  const layout: Layout = {
    project,
    ...(project ? {} : { bucket: c.bucket }),
    onlyDir: onlyDir === '/' ? '' : onlyDir,
  };
  const now = (): Date => new Date(clock.now());
  // The type cache: names known to be files, so that their stat needs no directory probe.
  const typeCache = new NameSet({ ttlMs: c.typeCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock });
  // The directory half of the type cache: same TTL and bound (gcsfuse's type cache holds both).
  const dirTypes = new NameSet({ ttlMs: c.typeCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock });
  // Directories made here, whose contents are known: same TTL and bound again.
  const fresh = new FreshDirs({ ttlMs: c.typeCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock });
  const ns = new Namespace(backend, layout, c.implicitDirs, typeCache, dirTypes, fresh);
  const handles = new HandleTable();
  const writer = new Writer({
    backend,
    stagingDir,
    spareDir,
    keepDir,
    logger,
    now,
    uploaded: (b, k) => {
      ns.rememberFile(b, k);
    },
    policy: { concurrency: c.uploadConcurrency, async: c.asyncUploads, delayMs: c.uploadDelayMs },
    stagingMaxBytes: c.stagingMaxSize,
    ...(c.streamingUploads ? {} : { streamAfter: 0 }),
    clock,
  });
  const keep = (b: string, k: string): Promise<void> =>
    keepParent({ backend, writer, onlyDir: layout.onlyDir }, b, k);
  const fs = new Filesystem({
    backend,
    layout,
    defaults: {
      uid: c.uid ?? process.getuid?.() ?? 0,
      gid: c.gid ?? process.getgid?.() ?? 0,
      fileMode: c.fileMode,
      dirMode: c.dirMode,
      mountedAt: now(),
    },
    readOnly: c.readOnly,
    attrPrefetch,
    ...defined({ project: c.project }),
    now,
    ns,
    handles,
    writer,
    xattrs: new Xattrs(backend, (b, k) => backend.statObject(b, k)),
    renamer: new Renamer({
      backend,
      ns,
      writer,
      handles,
      renameDirLimit: c.renameDirLimit,
      keepParent: keep,
    }),
    reader: new Reader(backend, content, {
      budget,
      maxWindow: readAhead,
      prefetchAllowance: readAhead,
    }),
    keepParent: keep,
    recovery: { stagingDir, spareDir, keepDir, logger },
  });
  return { fs, backend, content, attrPrefetch, dropCaches: () => backend.dropAll() };
}

export type RemoteConfig = Pick<
  MountConfig,
  'billingProject' | 'maxConnsPerHost' | 'maxRetrySleepMs' | 'retryMultiplier' | 'metricsPort'
>;

export interface Remote {
  /** The XML client, under the metrics decorator when metrics are on. */
  backend: StorageBackend;
  /** Off (undefined) at --metrics-port 0. */
  metrics: Metrics | undefined;
}

/** The Cloud Storage side of the graph, before assemble(): the mount checks the bucket with it first. */
export async function remote(
  c: RemoteConfig,
  to: {
    endpoint: string;
    credentials: Credentials;
    project?: string | undefined;
    /** Told of every retry besides the metrics (the bucket check at start watches them). */
    onRetry?: (event: RetryEvent) => void;
  },
  logger: Logger,
): Promise<Remote> {
  // Metrics (off at port 0) see every request: the decorator sits on the raw client, below the caches.
  const metrics = c.metricsPort > 0 ? await createMetrics({ version: await version() }) : undefined;
  const client = new XmlApiBackend({
    endpoint: to.endpoint,
    credentials: to.credentials,
    ...defined({ project: to.project || undefined, userProject: c.billingProject }),
    maxConnections: c.maxConnsPerHost,
    retry: { maxDelayMs: c.maxRetrySleepMs, multiplier: c.retryMultiplier },
    logger,
    onRetry: (event: RetryEvent) => {
      to.onRetry?.(event);
      metrics?.onRetry(event);
    },
  });
  return {
    backend: metrics ? new MetricsBackend(client, metrics.observeRequest, metrics.observeBytes) : client,
    metrics,
  };
}
