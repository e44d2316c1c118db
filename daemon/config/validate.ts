// Rules that involve more than one option or the shape of a positional argument. Pure: checks that need
// the file system (mountpoint exists and is not busy, key file readable) happen at mount time.

import type { MountConfig } from './mount-config.js';
import { PROJECT_MOUNT } from './mount-config.js';
import { ConfigError } from './values.js';

// The bucket naming rules of the service (spec §1.4), checked here so a typo fails before any request.
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

export function validateMountConfig(config: MountConfig): MountConfig {
  if (config.bucket !== PROJECT_MOUNT) {
    const parts = config.bucket.split('.');
    if (
      !BUCKET_NAME.test(config.bucket) ||
      (!config.bucket.includes('.') && config.bucket.length > 63) ||
      parts.some((p) => p.length === 0 || p.length > 63)
    ) {
      throw new ConfigError(
        `'${config.bucket}' is not a valid bucket name (3-63 lower-case letters, digits, '-', '_', '.'; ` +
          `starts and ends with a letter or digit); use '_' to mount every bucket of the project`,
      );
    }
  }
  if (config.anonymous && config.keyFile !== undefined) {
    throw new ConfigError('--anonymous and --key-file contradict each other: choose one');
  }
  if (config.onlyDir !== undefined && config.bucket === PROJECT_MOUNT) {
    throw new ConfigError('--only-dir needs a single bucket, not the project mount (_)');
  }
  if (config.onlyDir?.split('/').some((s) => s === '.' || s === '..')) {
    throw new ConfigError(`--only-dir '${config.onlyDir}' may not contain '.' or '..' segments`);
  }
  if (config.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(config.endpoint);
    } catch {
      throw new ConfigError(`--endpoint '${config.endpoint}' is not a URL (example: http://127.0.0.1:4443)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`--endpoint '${config.endpoint}' must be http:// or https://`);
    }
  }
  if (config.metricsPort > 65535) throw new ConfigError(`--metrics-port ${config.metricsPort} is not a port`);
  if (config.opTimeoutMs < 1000) throw new ConfigError('--op-timeout must be at least 1s');
  if (config.retryMultiplier < 1) {
    throw new ConfigError(
      `--retry-multiplier ${config.retryMultiplier} would shrink the wait: use 1 or more`,
    );
  }
  if (config.listAhead < 0 || config.listAhead > 1024) {
    throw new ConfigError(`--list-ahead ${config.listAhead}: use 0 to 1024 listings`);
  }
  if (config.uploadConcurrency < 1 || config.uploadConcurrency > 256) {
    throw new ConfigError(`--upload-concurrency ${config.uploadConcurrency}: use 1 to 256 uploads at once`);
  }
  if (config.readAheadSize > 0 && config.readAheadSize < 1024 * 1024) {
    throw new ConfigError('--read-ahead-size is counted in 1 MiB blocks: use 0 (off) or at least 1M');
  }
  return config;
}
