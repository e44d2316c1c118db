// The typed configuration of one mount, built from the option table's parsed values (parse-args.ts).
// Durations are milliseconds, sizes bytes, modes permission bits.

import type { LogFormat, LogLevel } from '../../common/logger.js';

export interface MountConfig {
  /** Bucket name, or `_` for the whole project (buckets as top-level directories). */
  bucket: string;
  mountpoint: string;
  endpoint?: string;
  project?: string;
  keyFile?: string;
  botoConfig?: string;
  anonymous: boolean;
  clientId?: string;
  clientSecretFile?: string;
  tokenUrl?: string;
  onlyDir?: string;
  readOnly: boolean;
  uid?: number;
  gid?: number;
  fileMode: number;
  dirMode: number;
  implicitDirs: boolean;
  renameDirLimit: number;
  cacheDir: string;
  statCacheTtlMs: number;
  typeCacheTtlMs: number;
  listCacheTtlMs: number;
  statCacheMaxEntries: number;
  memoryCacheSize: number;
  diskCacheSize: number;
  foreground: boolean;
  allowOther: boolean;
  opTimeoutMs: number;
  debugFuse: boolean;
  logLevel: LogLevel;
  /** 'auto' is resolved at start (daemon/lifecycle/log-format.ts). */
  logFormat: LogFormat | 'auto';
  metricsPort: number;
  logFile?: string;
  nonempty: boolean;
}

/** The bucket argument that mounts a whole project. */
export const PROJECT_MOUNT = '_';
