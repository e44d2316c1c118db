// `gcsmount mount [options] BUCKET MOUNTPOINT`. Without --foreground it re-runs itself detached
// (lifecycle/daemonize.ts) and returns once the mount answers (exit 0, with a line saying where) or with
// the child's error (exit 1). In the foreground: check the mountpoint, credentials, endpoint, cache dir and
// bucket, assemble, mount, report READY=1 (systemd) once the mountpoint answers, publish a status file,
// then serve until a stop (signal or external umount) drains uploads and unmounts.

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import { defined } from '../common/defined.js';
import { createLogger, type Logger } from '../common/logger.js';
import { loadBotoConfig } from '../storage/auth/boto-config.js';
import { resolveCredentials } from '../storage/auth/resolve.js';
import { isStorageError } from '../storage/errors.js';
import { assemble, remote } from './assemble.js';
import { mountHelp } from './config/help.js';
import { PROJECT_MOUNT, type MountConfig } from './config/mount-config.js';
import { loadMountArgs } from './config/load-mount-args.js';
import { validateMountConfig } from './config/validate.js';
import { ConfigError } from './config/values.js';
import { mountFuse } from './fuse/adapter.js';
import { detachFromParent, isDetachedChild, reportToParent, runDetached } from './lifecycle/daemonize.js';
import { drainStaged } from './lifecycle/drain.js';
import { detachedLogFile, openLogSink, stderrSink, type LogSink } from './lifecycle/log-sink.js';
import { errnoName, serveMetrics } from './lifecycle/metrics.js';
import { resolveLogFormat } from './lifecycle/log-format.js';
import {
  isMounted,
  MountpointError,
  prepareMountpoint,
  waitUntilAnswers,
  watchUnmount,
} from './lifecycle/mountpoint.js';
import { writePid } from './lifecycle/pid-file.js';
import { checkBucket, RetryWatch } from './lifecycle/bucket-check.js';
import { checkCacheDir, checkEndpoint } from './lifecycle/preflight.js';
import { createNotifier, type Notifier } from './lifecycle/sd-notify.js';
import { handleSignals } from './lifecycle/signals.js';
import { LISTED_UPLOADS, publishStatus, type MountStatus } from './lifecycle/status-file.js';

/** How long a clean stop waits for staged uploads before unmounting anyway (bytes stay in the cache dir). */
/** How long a fresh mount may take to answer a stat before the start counts as failed. */
const ANSWER_TIMEOUT_MS = 30_000;
/** Metrics name buckets and objects: loopback only (scrape through a local agent or an SSH tunnel). */
const METRICS_HOST = '127.0.0.1';
/** The one clock of a mount: TTLs, modification times, status timestamps (tests of parts inject theirs). */
const clock: Clock = systemClock;

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
  const id = mountId(config);
  const defaultLog = path.join(config.cacheDir, `gcsmount-${id}.log`);
  const explicitLog = config.logFile !== undefined;
  if (!config.foreground) {
    return runDetached(argv, await detachedLogFile(config.logFile, defaultLog), explicitLog);
  }
  const detached = isDetachedChild();
  let sink: LogSink;
  try {
    sink = await openLogSink(
      detached ? await detachedLogFile(config.logFile, defaultLog) : config.logFile,
      detached,
    ).catch((err: unknown) => {
      // The default file is in the cache dir: its check (below) names the problem better.
      if (explicitLog) throw err;
      return stderrSink();
    });
  } catch (err) {
    const why = `cannot open the log file: ${err instanceof Error ? err.message : String(err)}`;
    if (detached) await reportToParent({ ready: false, error: why });
    else process.stderr.write(`gcsmount mount: ${why}\n`);
    return 1;
  }
  // logrotate moves the file, then sends SIGHUP (signals.ts also drops the caches on it).
  process.on('SIGHUP', () => sink.reopen());
  const format =
    sink.where.startsWith('syslog') && config.logFormat === 'auto'
      ? 'journald'
      : sink.where === 'stderr'
        ? await resolveLogFormat(config.logFormat, process.env)
        : config.logFormat === 'auto'
          ? 'text'
          : config.logFormat;
  const logger = createLogger({ level: config.logLevel, format, write: (line) => sink.write(line) });
  const notifier = createNotifier(process.env, logger);
  try {
    return await serve(config, id, sink, logger, notifier);
  } catch (err) {
    const why = explain(err, config);
    await notifier.send({ STATUS: `failed: ${why}`, ERRNO: '5' });
    if (detached) {
      logger.error(`gcsmount mount: ${why}`);
      await reportToParent({ ready: false, error: why });
    } else {
      // In the log (a file, or stderr as the journal), and in plain words on the terminal.
      if (sink.where !== 'stderr' || format === 'journald') logger.error(`gcsmount mount: ${why}`);
      if (sink.where !== 'stderr' || format !== 'journald') process.stderr.write(`gcsmount mount: ${why}\n`);
    }
    return 1;
  } finally {
    notifier.close();
    await sink.close();
  }
}

/** One id per bucket and mountpoint: names the mount's cache subdirectory and its default log file. */
export function mountId(config: Pick<MountConfig, 'bucket' | 'mountpoint'>): string {
  return createHash('sha256')
    .update(`${config.bucket}\0${path.resolve(config.mountpoint)}`)
    .digest('hex')
    .slice(0, 16);
}

/** The source mount(8) shows and `mount -a` compares with the fstab line: BUCKET, or BUCKET/PREFIX as
 *  mount.gcsmount takes it. A comma would end the libfuse option, so it is escaped. */
function fsnameOf(config: MountConfig): string {
  const dir = config.onlyDir?.replace(/^\/+|\/+$/g, '');
  return (dir ? `${config.bucket}/${dir}` : config.bucket).replaceAll(',', '\\,');
}

/** errnos worth counting as errors in the status file (ENOENT, EEXIST, ... are answers, not faults). */
const REPORTED_ERRNOS = new Set([5, 28, 110, 116]); // EIO, ENOSPC, ETIMEDOUT, ESTALE

function explain(err: unknown, config: MountConfig): string {
  if (err instanceof MountpointError) return err.message;
  if (isStorageError(err, 'bucket-not-found') || isStorageError(err, 'not-found')) {
    return `no such bucket: ${config.bucket} (list yours with: gcsmount mount ... _ MOUNTPOINT)`;
  }
  return err instanceof Error ? err.message : String(err);
}

async function serve(
  config: MountConfig,
  id: string,
  sink: LogSink,
  logger: Logger,
  notifier: Notifier,
): Promise<number> {
  // A stop signal may come while mounting (the mount answers before the serving loop is set up): hold it
  // and act on it once the drain-and-unmount handling is in place, instead of dying mid-start.
  const early = holdStopSignals();
  try {
    return await serveMount(config, id, sink, logger, notifier, early);
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
  // A polite stop this early (SIGUSR2 would otherwise kill the process) stops it too: open files are kept.
  const onUsr2 = (): void => fire('gcsmount unmount');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGUSR2', onUsr2);
  return {
    signalled,
    dispose: () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGUSR2', onUsr2);
    },
  };
}

async function serveMount(
  config: MountConfig,
  id: string,
  sink: LogSink,
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
  void notifier.status(`checking ${endpoint} and the cache dir`);
  await checkEndpoint(endpoint);
  await checkCacheDir(config.cacheDir);
  const retries = new RetryWatch();
  const { backend: raw, metrics } = await remote(
    config,
    { endpoint, credentials: resolved.credentials, project, onRetry: (event) => retries.note(event) },
    logger,
  );
  void notifier.status(`checking bucket ${config.bucket} at ${endpoint}`);
  await checkBucket({
    endpoint,
    credentials: resolved.credentials,
    backend: raw,
    bucket: config.bucket === PROJECT_MOUNT ? undefined : config.bucket,
    project: project || undefined,
    retries,
  });

  // One cache dir per mount: the disk cache wipes its own folder at start.
  const cacheDir = path.join(config.cacheDir, id);
  const tempDir = config.tempDir === undefined ? undefined : path.join(config.tempDir, id);
  const a = await assemble(
    raw,
    { ...config, cacheDir, ...defined({ project: project || undefined, tempDir }) },
    logger,
    clock,
  );
  void notifier.status('recovering files staged before the last stop');
  const recovered = await a.fs.recover();
  if (recovered.queued.length + recovered.kept.length > 0) {
    // The queued uploads run in the background: the mount answers now and shows them as pending files.
    logger.info('recovery', { queued: recovered.queued.length, kept: recovered.kept.length });
    void recovered.settled.then(() =>
      logger.info('recovery done: the files closed before the last stop are settled', {
        files: recovered.queued.length,
      }),
    );
  }
  metrics?.watch({ content: a.content, fs: a.fs });
  const metricsServer = metrics
    ? await serveMetrics(metrics.registry, config.metricsPort, METRICS_HOST, logger)
    : undefined;
  void notifier.status(`mounting at ${config.mountpoint}`);
  const opErrors: MountStatus['errors'] = { ops: 0, keptUploads: 0 };
  const fuse = await mountFuse(a.fs, {
    mountpoint: config.mountpoint,
    fsname: fsnameOf(config),
    mountOptions: [...(config.readOnly ? ['ro'] : []), ...(config.nonempty ? ['nonempty'] : [])],
    kernelCache: config,
    allowOther: config.allowOther,
    debug: config.debugFuse,
    opTimeoutMs: config.opTimeoutMs,
    spinMicros: config.fuseSpinUs,
    logger,
    onOp: (op, errno, seconds, bytes) => {
      if (REPORTED_ERRNOS.has(Math.abs(errno))) {
        opErrors.ops++;
        opErrors.last = { op, errno: errnoName(errno), at: new Date(clock.now()).toISOString() };
      }
      metrics?.observeOp(op, errno, seconds, bytes);
    },
  }).catch(async (err: unknown) => {
    // libfuse says why on the daemon's stderr only ("fuse failed" here); name the common cause.
    if (!config.nonempty && (await readdir(config.mountpoint).catch(() => [])).length > 0) {
      throw new MountpointError(
        `mountpoint ${config.mountpoint} is not empty: mount elsewhere, or add --nonempty to hide its files`,
      );
    }
    throw err;
  });
  try {
    await waitUntilAnswers(config.mountpoint, ANSWER_TIMEOUT_MS, clock);
  } catch (err) {
    await fuse.unmount().catch(() => undefined);
    throw err;
  }
  const removePid = await writePid(config.mountpoint);
  let state: MountStatus['state'] = 'serving';
  const keptDir = path.join(tempDir ?? cacheDir, 'failed-uploads');
  const startedAt = new Date(clock.now()).toISOString();
  let refused: MountStatus['refused'];
  const openForWriting = (): string[] => a.fs.openWriters().map((p) => p.object);
  const status = await publishStatus(config.mountpoint, async () => {
    const pending = a.fs.pendingUploads();
    const q = a.fs.uploadStats();
    const c = a.content.stats();
    const kept = await readdir(keptDir).then(
      (names) => names.filter((n) => !n.endsWith('.json')).length, // each kept file has a record beside it
      () => 0,
    );
    return {
      pid: process.pid,
      bucket: config.bucket,
      mountpoint: path.resolve(config.mountpoint),
      startedAt,
      updatedAt: new Date(clock.now()).toISOString(),
      state,
      uploads: {
        pending: pending.length,
        bytes: pending.reduce((n, p) => n + p.bytes, 0),
        objects: pending.slice(0, LISTED_UPLOADS).map((p) => p.object),
        queue: {
          queued: q.queued,
          uploading: q.uploading,
          uploadedFiles: q.uploadedFiles,
          uploadedBytes: q.uploadedBytes,
          failures: q.failures,
          retries: q.retries,
        },
      },
      cache: {
        memoryBytes: c.memory.bytes,
        ...(c.disk ? { diskBytes: c.disk.bytes } : {}),
        hits: c.hits,
        misses: c.misses,
      },
      errors: { ...opErrors, keptUploads: kept },
      keptDir,
      logs: sink.where,
      openForWriting: openForWriting().slice(0, LISTED_UPLOADS),
      politeStop: true,
      ...(refused ? { refused } : {}),
    };
  });
  logger.info('mounted', { bucket: config.bucket, mountpoint: config.mountpoint });
  const serving = `serving gs://${config.bucket} at ${config.mountpoint}`;
  await notifier.ready(serving);
  notifier.startWatchdog(() => stat(config.mountpoint).then(() => true));
  if (isDetachedChild()) {
    await reportToParent({
      ready: true,
      text: `gcsmount: ${serving} (pid ${process.pid}; logs: ${sink.where})`,
    });
    detachFromParent();
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
      busy: openForWriting,
      refuse: (files) => {
        refused = { at: clock.now(), files: files.slice(0, LISTED_UPLOADS) };
        void status.publish();
      },
      unmount: async () => {
        state = 'unmounting';
        await status.publish();
        if (await isMounted(config.mountpoint)) await fuse.unmount();
      },
      reload: () => a.dropCaches(),
      stopWhen: Promise.race([gone, early.signalled]),
      onStop: () => stopWatching(),
      status: (text) => void notifier.status(text),
      stopping: (text) => {
        state = 'draining';
        void status.publish();
        void notifier.stopping(text);
      },
      extendTimeout: (ms) => void notifier.extendTimeout(ms),
    },
    logger,
    config.drainTimeoutMs,
  );
  await status.close();
  await removePid();
  await metricsServer?.close();
  return code;
}
