// The composition root, in one documented order: storage backend (XML client, or any StorageBackend a
// test passes) -> metadata caches (CachedBackend) -> content cache (memory, then disk) -> reader ->
// filesystem. Nothing else builds this graph; the FUSE adapter and lifecycle take the result.

import path from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { ByteBudget } from '../cache/budget.js';
import { CachedBackend } from '../cache/cached-backend.js';
import { ContentCache } from '../cache/content-cache.js';
import { DiskBlocks } from '../cache/disk-blocks.js';
import { ListingCache } from '../cache/listing-cache.js';
import { MemoryBlocks } from '../cache/memory-blocks.js';
import { MetadataCache } from '../cache/metadata-cache.js';
import { NegativeCache } from '../cache/negative-cache.js';
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
  | 'listCacheTtlMs'
  | 'statCacheMaxEntries'
  | 'memoryCacheSize'
  | 'diskCacheSize'
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
    negative: new NegativeCache({ ttlMs: c.typeCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock }),
    listings: new ListingCache({ ttlMs: c.listCacheTtlMs, maxEntries: c.statCacheMaxEntries, clock }),
    content,
    logger,
  });
  const project = c.bucket === PROJECT_MOUNT;
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
    stagingDir: path.join(c.cacheDir, 'staging'),
    keepDir: path.join(c.cacheDir, 'failed-uploads'),
    reader: new Reader(backend, content, { budget, maxWindow: DEFAULT_MAX_WINDOW }),
    renameDirLimit: c.renameDirLimit,
    typeCacheTtlMs: c.typeCacheTtlMs,
    ...(c.project === undefined ? {} : { project: c.project }),
    logger,
  });
  return { fs, backend, content, dropCaches: () => backend.dropAll() };
}
