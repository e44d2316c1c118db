// Builds the caches and the filesystem over a given storage backend, in one documented order: content cache
// (memory, then disk) -> metadata caches (CachedBackend, which drops content blocks on mutation) -> reader ->
// filesystem. The backend comes from daemon/mount-command.ts (the XML client, under the metrics decorator
// when metrics are on) or from a test; the filesystem still builds its own namespace, handles and xattrs.
// The FUSE adapter and lifecycle take the result.

import path from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import { defined } from '../common/defined.js';
import type { Logger } from '../common/logger.js';
import { ByteBudget } from '../cache/budget.js';
import { CachedBackend } from '../cache/cached-backend.js';
import { ContentCache } from '../cache/content-cache.js';
import { DiskBlocks } from '../cache/disk-blocks.js';
import { ListingCache } from '../cache/listing-cache.js';
import { MemoryBlocks } from '../cache/memory-blocks.js';
import { MetadataCache } from '../cache/metadata-cache.js';
import { NegativeCache } from '../cache/negative-cache.js';
import { TypeCache } from '../cache/type-cache.js';
import type { StorageBackend } from '../storage/backend.js';
import { PROJECT_MOUNT, type MountConfig } from './config/mount-config.js';
import { Filesystem } from './fs/filesystem.js';
import { Reader } from './read/reader.js';
import { DEFAULT_MAX_WINDOW } from './read/window.js';

export interface Assembled {
  fs: Filesystem;
  backend: CachedBackend;
  content: ContentCache;
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
  | 'statCacheMaxEntries'
  | 'memoryCacheSize'
  | 'diskCacheSize'
  | 'uploadConcurrency'
  | 'asyncUploads'
  | 'uploadDelayMs'
>;

/** Prefetch room beyond the memory cache: two full windows, so one `cp` streams at full speed even with
 *  `--memory-cache-size 0`, and more readers share by evicting cached blocks or waiting. */
const PREFETCH_ALLOWANCE = 2 * DEFAULT_MAX_WINDOW;

export async function assemble(
  raw: StorageBackend,
  c: AssembleConfig,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<Assembled> {
  // One budget for the memory cache and every handle's prefetch buffers: the cache's own bound plus room
  // for a few full read-ahead windows, which evict cached blocks before they wait.
  const budget = new ByteBudget(c.memoryCacheSize + PREFETCH_ALLOWANCE);
  const memory = new MemoryBlocks({ maxBytes: c.memoryCacheSize, budget });
  const disk =
    c.diskCacheSize > 0
      ? await DiskBlocks.open({ cacheDir: c.cacheDir, maxBytes: c.diskCacheSize, logger })
      : undefined;
  const content = new ContentCache({ memory, ...(disk ? { disk } : {}) });
  const backend = new CachedBackend(raw, {
    metadata: new MetadataCache({ ttlMs: c.statCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock }),
    // Absent names get their own short TTL (gcsfuse: 5 s): a file created elsewhere must show up soon.
    negative: new NegativeCache({ ttlMs: c.negativeCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock }),
    listings: new ListingCache({ ttlMs: c.listCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock }),
    content,
    logger,
  });
  const project = c.bucket === PROJECT_MOUNT;
  // Failed uploads are kept beside the staged bytes, so keeping them is a rename on one file system.
  const tempDir = c.tempDir ?? c.cacheDir;
  const onlyDir = c.onlyDir ? `${c.onlyDir.replace(/^\/+|\/+$/g, '')}/` : '';
  const fs = new Filesystem({
    backend,
    layout: { project, ...(project ? {} : { bucket: c.bucket }), onlyDir: onlyDir === '/' ? '' : onlyDir },
    defaults: {
      uid: c.uid ?? process.getuid?.() ?? 0,
      gid: c.gid ?? process.getgid?.() ?? 0,
      fileMode: c.fileMode,
      dirMode: c.dirMode,
      mountedAt: new Date(clock.now()),
    },
    implicitDirs: c.implicitDirs,
    readOnly: c.readOnly,
    stagingDir: path.join(tempDir, 'staging'),
    keepDir: path.join(tempDir, 'failed-uploads'),
    reader: new Reader(backend, content, { budget, maxWindow: Math.max(c.readAheadSize, 1 << 20) }),
    renameDirLimit: c.renameDirLimit,
    typeCache: new TypeCache({ ttlMs: c.typeCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock }),
    ...defined({ project: c.project }),
    uploads: { concurrency: c.uploadConcurrency, async: c.asyncUploads, delayMs: c.uploadDelayMs },
    clock,
    logger,
  });
  return { fs, backend, content, dropCaches: () => backend.dropAll() };
}
