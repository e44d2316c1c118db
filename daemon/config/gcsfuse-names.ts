// gcsfuse's names for our options: its flags (`--custom-endpoint`, `--metadata-cache-ttl-secs`, ...) and
// the paths of its YAML config file (`gcs-connection.custom-endpoint`), so a gcsfuse command line, fstab
// line or config file works here as it is. Every name sets one or more rows of the option table
// (options.ts): there is no second set of settings, only second spellings. A name whose value gcsfuse
// writes differently (whole seconds with -1 for "never", MiB, its severities) says how to convert it.
// A gcsfuse setting that has no counterpart here is not listed, so it fails as unknown, never silently.

export type GcsfuseConversion =
  /** Whole seconds; -1 means never expires (Infinity ms), 0 disables. */
  | 'ttl-seconds'
  /** Whole MiB -> bytes. */
  | 'megabytes'
  /** trace|debug|info|warning|error|off, any case -> our log levels (trace is our debug). */
  | 'log-severity';

export interface GcsfuseName {
  /** gcsfuse's flag, when it is not spelled as ours; also an fstab key (`_` or `-`). */
  flag?: string;
  /** gcsfuse's config-file path, dot-separated. */
  configKey?: string;
  /** The option-table flags this name sets. */
  sets: readonly string[];
  convert?: GcsfuseConversion;
}

export const GCSFUSE_NAMES: readonly GcsfuseName[] = [
  { flag: 'custom-endpoint', configKey: 'gcs-connection.custom-endpoint', sets: ['endpoint'] },
  { configKey: 'gcs-connection.billing-project', sets: ['billing-project'] },
  { configKey: 'logging.file-path', sets: ['log-file'] },
  { configKey: 'gcs-connection.max-conns-per-host', sets: ['max-conns-per-host'] },
  {
    flag: 'sequential-read-size-mb',
    configKey: 'gcs-connection.sequential-read-size-mb',
    sets: ['read-ahead-size'],
    convert: 'megabytes',
  },
  { flag: 'anonymous-access', configKey: 'gcs-auth.anonymous-access', sets: ['anonymous'] },
  { configKey: 'gcs-auth.key-file', sets: ['key-file'] },
  { configKey: 'gcs-auth.token-url', sets: ['token-url'] },
  { configKey: 'gcs-retries.max-retry-sleep', sets: ['max-retry-sleep'] },
  { configKey: 'gcs-retries.multiplier', sets: ['retry-multiplier'] },
  {
    flag: 'metadata-cache-ttl-secs',
    configKey: 'metadata-cache.ttl-secs',
    sets: ['stat-cache-ttl', 'type-cache-ttl'],
    convert: 'ttl-seconds',
  },
  {
    flag: 'metadata-cache-negative-ttl-secs',
    configKey: 'metadata-cache.negative-ttl-secs',
    sets: ['negative-cache-ttl'],
    convert: 'ttl-seconds',
  },
  { configKey: 'metadata-cache.deprecated-stat-cache-ttl', sets: ['stat-cache-ttl'] },
  { configKey: 'metadata-cache.deprecated-type-cache-ttl', sets: ['type-cache-ttl'] },
  {
    flag: 'stat-cache-capacity',
    configKey: 'metadata-cache.deprecated-stat-cache-capacity',
    sets: ['stat-cache-max-entries'],
  },
  { configKey: 'file-system.uid', sets: ['uid'] },
  { configKey: 'file-system.gid', sets: ['gid'] },
  { configKey: 'file-system.file-mode', sets: ['file-mode'] },
  { configKey: 'file-system.dir-mode', sets: ['dir-mode'] },
  { configKey: 'file-system.rename-dir-limit', sets: ['rename-dir-limit'] },
  { configKey: 'file-system.temp-dir', sets: ['temp-dir'] },
  { flag: 'prometheus-port', configKey: 'metrics.prometheus-port', sets: ['metrics-port'] },
  { flag: 'log-severity', configKey: 'logging.severity', sets: ['log-level'], convert: 'log-severity' },
  { configKey: 'logging.format', sets: ['log-format'] },
  { configKey: 'debug.fuse', sets: ['debug-fuse'] },
];
