// `gcsmount mount [options] BUCKET MOUNTPOINT`. Without --foreground it re-runs itself detached and
// returns once the mount answers (exit 0) or with the child's error (exit 1). In the foreground: check the
// mountpoint and credentials and bucket, assemble, mount, report READY=1 (systemd) once the mountpoint
// answers, then serve until a stop (signal or external umount) drains uploads and unmounts.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { defined } from '../common/defined.js';
import { createLogger, type Logger } from '../common/logger.js';
import { loadBotoConfig } from '../storage/auth/boto-config.js';
import { resolveCredentials } from '../storage/auth/resolve.js';
import { XmlApiBackend } from '../storage/client/xml-api-backend.js';
import { isStorageError } from '../storage/errors.js';
import { assemble } from './assemble.js';
import { mountHelp } from './config/help.js';
import { PROJECT_MOUNT, type MountConfig } from './config/mount-config.js';
import { loadMountArgs } from './config/load-mount-args.js';
import { validateMountConfig } from './config/validate.js';
import { ConfigError } from './config/values.js';
import { mountFuse } from './fuse/adapter.js';
import { drainStaged } from './lifecycle/drain.js';
import { MetricsBackend } from './lifecycle/metrics-backend.js';
import { createMetrics, serveMetrics } from './lifecycle/metrics.js';
import { resolveLogFormat } from './lifecycle/log-format.js';
import {
  isMounted,
  MountpointError,
  prepareMountpoint,
  waitUntilAnswers,
  watchUnmount,
} from './lifecycle/mountpoint.js';
import { writePid } from './lifecycle/pid-file.js';
import { createNotifier, type Notifier } from './lifecycle/sd-notify.js';
import { handleSignals } from './lifecycle/signals.js';

/** How long a clean stop waits for staged uploads before unmounting anyway (bytes stay in the cache dir). */
const DRAIN_TIMEOUT_MS = 5 * 60_000;
/** How long a fresh mount may take to answer a stat before the start counts as failed. */
const ANSWER_TIMEOUT_MS = 30_000;
/** Metrics name buckets and objects: loopback only (scrape through a local agent or an SSH tunnel). */
const METRICS_HOST = '127.0.0.1';

export async function mountMain(argv: string[]): Promise<number> {
  let config: MountConfig;
  try {
    const parsed = await loadMountArgs(argv);
    if (parsed.help) {
      process.stdout.write(mountHelp());
      return 0;
    }
    config = validateMountConfig(parsed.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gcsmount mount: ${err.message}\nRun 'gcsmount mount --help' for the options.\n`);
      return 2;
    }
    throw err;
  }
  if (!config.foreground) return runDetached(argv);
  const format = await resolveLogFormat(config.logFormat, process.env);
  const logger = createLogger({ level: config.logLevel, format });
  const notifier = createNotifier(process.env, logger);
  try {
    return await serve(config, logger, notifier);
  } catch (err) {
    const why = explain(err, config);
    await notifier.send({ STATUS: `failed: ${why}`, ERRNO: '5' });
    if (format === 'journald') logger.error(`gcsmount mount: ${why}`);
    else process.stderr.write(`gcsmount mount: ${why}\n`);
    return 1;
  } finally {
    notifier.close();
  }
}

function explain(err: unknown, config: MountConfig): string {
  if (err instanceof MountpointError) return err.message;
  if (isStorageError(err, 'bucket-not-found') || isStorageError(err, 'not-found')) {
    return `no such bucket: ${config.bucket} (list yours with: gcsmount mount ... _ MOUNTPOINT)`;
  }
  return err instanceof Error ? err.message : String(err);
}

async function serve(config: MountConfig, logger: Logger, notifier: Notifier): Promise<number> {
  // A stop signal may come while mounting (the mount answers before the serving loop is set up): hold it
  // and act on it once the drain-and-unmount handling is in place, instead of dying mid-start.
  const early = holdStopSignals();
  try {
    return await serveMount(config, logger, notifier, early);
  } finally {
    early.dispose();
  }
}

interface HeldSignals {
  signalled: Promise<string>;
  dispose(): void;
}

function holdStopSignals(): HeldSignals {
  let fire: (reason: string) => void = () => undefined;
  const signalled = new Promise<string>((resolve) => (fire = resolve));
  const onTerm = (): void => fire('SIGTERM');
  const onInt = (): void => fire('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  return {
    signalled,
    dispose: () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    },
  };
}

async function serveMount(
  config: MountConfig,
  logger: Logger,
  notifier: Notifier,
  early: HeldSignals,
): Promise<number> {
  void notifier.status(`checking mountpoint ${config.mountpoint}`);
  await prepareMountpoint(config.mountpoint, logger);
  const boto = await loadBotoConfig({
    env: process.env,
    homeDir: homedir(),
    ...defined({ explicitPath: config.botoConfig }),
  });
  const clientSecret = config.clientSecretFile
    ? (await readFile(config.clientSecretFile, 'utf8')).trim()
    : undefined;
  const resolved = await resolveCredentials(
    {
      ...defined({
        keyFile: config.keyFile,
        clientId: config.clientId,
        clientSecret: clientSecret || undefined,
        tokenUrl: config.tokenUrl,
        project: config.project,
        endpoint: config.endpoint,
      }),
      anonymous: config.anonymous,
      readOnly: config.readOnly,
      logger,
    },
    process.env,
    boto,
  );
  const endpoint = config.endpoint ?? resolved.endpoint ?? 'https://storage.googleapis.com';
  const project = config.project ?? resolved.projectId;
  logger.info('credentials', { source: resolved.source, using: resolved.credentials.description, endpoint });
  // Metrics (off at port 0) see every request: the decorator sits on the raw client, below the caches.
  const metrics = config.metricsPort > 0 ? createMetrics() : undefined;
  const client = new XmlApiBackend({
    endpoint,
    credentials: resolved.credentials,
    ...defined({ project: project || undefined, userProject: config.billingProject }),
    maxConnections: config.maxConnsPerHost,
    retry: { maxDelayMs: config.maxRetrySleepMs, multiplier: config.retryMultiplier },
    logger,
    ...(metrics ? { onRetry: metrics.onRetry } : {}),
  });
  const raw = metrics ? new MetricsBackend(client, metrics.observeRequest) : client;
  void notifier.status(`checking bucket ${config.bucket} at ${endpoint}`);
  if (config.bucket === PROJECT_MOUNT) await raw.listBuckets(project ? { project } : {});
  else await raw.headBucket(config.bucket);

  // One cache dir per mount: the disk cache wipes its own folder at start.
  const id = createHash('sha256')
    .update(`${config.bucket}\0${path.resolve(config.mountpoint)}`)
    .digest('hex')
    .slice(0, 16);
  const cacheDir = path.join(config.cacheDir, id);
  const tempDir = config.tempDir === undefined ? undefined : path.join(config.tempDir, id);
  const a = await assemble(
    raw,
    { ...config, cacheDir, ...defined({ project: project || undefined, tempDir }) },
    logger,
  );
  void notifier.status('recovering files staged before the last stop');
  const recovered = await a.fs.recover();
  if (recovered.uploaded.length + recovered.kept.length > 0)
    logger.info('recovery', { uploaded: recovered.uploaded.length, kept: recovered.kept.length });
  metrics?.watch({ content: a.content, fs: a.fs });
  const metricsServer = metrics
    ? await serveMetrics(metrics.registry, config.metricsPort, METRICS_HOST, logger)
    : undefined;
  void notifier.status(`mounting at ${config.mountpoint}`);
  const fuse = await mountFuse(a.fs, {
    mountpoint: config.mountpoint,
    fsname: `gcsmount:${config.bucket}`,
    allowOther: config.allowOther,
    debug: config.debugFuse,
    opTimeoutMs: config.opTimeoutMs,
    logger,
    ...(metrics ? { onOp: metrics.observeOp } : {}),
  });
  try {
    await waitUntilAnswers(config.mountpoint, ANSWER_TIMEOUT_MS);
  } catch (err) {
    await fuse.unmount().catch(() => undefined);
    throw err;
  }
  const removePid = await writePid(config.mountpoint);
  logger.info('mounted', { bucket: config.bucket, mountpoint: config.mountpoint });
  await notifier.ready(`serving gs://${config.bucket} at ${config.mountpoint}`);
  notifier.startWatchdog(() => stat(config.mountpoint).then(() => true));
  if (process.send) {
    process.send({ ready: true });
    process.disconnect();
  }
  // umount(8) from outside: a lazy one leaves open files served, so drain them too before exiting.
  let stopWatching = (): void => undefined;
  const gone = new Promise<string>((resolve) => {
    stopWatching = watchUnmount(config.mountpoint, () => {
      logger.warn('the mount was unmounted from outside (umount)', { mountpoint: config.mountpoint });
      resolve('unmounted from outside');
    });
  });
  // handleSignals takes over SIGTERM/SIGINT from here; one held before now stops it at once.
  early.dispose();
  const code = await handleSignals(
    {
      drain: () => drainStaged(a.fs, logger),
      unmount: async () => {
        if (await isMounted(config.mountpoint)) await fuse.unmount();
      },
      reload: () => a.dropCaches(),
      stopWhen: Promise.race([gone, early.signalled]),
      onStop: () => stopWatching(),
      status: (text) => void notifier.status(text),
      stopping: (text) => void notifier.stopping(text),
      extendTimeout: (ms) => void notifier.extendTimeout(ms),
    },
    logger,
    DRAIN_TIMEOUT_MS,
  );
  await removePid();
  await metricsServer?.close();
  return code;
}

/** Re-runs this command in the foreground, detached, and waits until it reports the mount ready. */
function runDetached(argv: string[]): Promise<number> {
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, script, 'mount', '--foreground', ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve) => {
    child.once('message', () => {
      child.unref();
      child.disconnect();
      resolve(0);
    });
    child.once('exit', (code) => resolve(code ?? 1));
    child.once('error', (err) => {
      process.stderr.write(`gcsmount mount: could not start the daemon: ${err.message}\n`);
      resolve(1);
    });
  });
}
