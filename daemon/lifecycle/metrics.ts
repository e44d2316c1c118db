// Prometheus metrics (prom-client) and their endpoint on 127.0.0.1. FUSE ops and GCS requests are pushed
// by hooks (adapter.ts call(), MetricsBackend, and the XML client's onRetry for retries, so that no log
// message is a contract); cache and upload-queue state is pulled at scrape time (collect()), so a mount
// pays nothing for numbers nobody reads. Loopback only: metrics name buckets and objects.

import { createServer, type Server } from 'node:http';
import { constants } from 'node:os';
// Type only at load: prom-client (11 MiB resident) is imported by createMetrics, so a mount without
// --metrics-port never loads it.
import type { Registry } from 'prom-client';
import type { Logger } from '../../common/logger.js';
import type { RetryEvent } from '../../storage/client/retry.js';
import type { ContentCache } from '../../cache/content-cache.js';
import type { Filesystem } from '../fs/filesystem.js';

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** 'ok' for 0, else the errno's name (ENOENT); accepts fuse-native's negated numbers too. */
export function errnoName(errno: number): string {
  if (errno === 0) return 'ok';
  return ERRNO_NAMES.get(Math.abs(errno)) ?? `E${Math.abs(errno)}`;
}

// Latencies from a cached getattr (~50 µs) to a multi-minute upload on close.
const BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120];

export interface Metrics {
  readonly registry: Registry;
  /** adapter.ts: one FUSE op finished (errno 0 on success; `bytes`: what a read or write moved). */
  readonly observeOp: (op: string, errno: number, seconds: number, bytes?: number) => void;
  /** MetricsBackend: bytes received from (read bodies) or sent to (uploads) Cloud Storage. */
  readonly observeBytes: (direction: 'received' | 'sent', bytes: number) => void;
  /** MetricsBackend: one Cloud Storage request finished. */
  readonly observeRequest: (method: string, outcome: string, seconds: number) => void;
  /** The XML client's onRetry hook: one retry of a Cloud Storage request, by the error that caused it. */
  readonly onRetry: (event: Pick<RetryEvent, 'code'>) => void;
  /** Registers scrape-time gauges over the content cache and the open handles. */
  watch(sources: { content: ContentCache; fs: Filesystem }): void;
}

export async function createMetrics(o: { version?: string } = {}): Promise<Metrics> {
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = await import('prom-client');
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  // The Prometheus "info" idiom: a constant 1 whose label says which build runs.
  new Gauge({
    name: 'gcsmount_build_info',
    help: 'The running gcsmount build (always 1; the version is the label)',
    labelNames: ['version'] as const,
    registers,
  }).set({ version: o.version ?? 'unknown' }, 1);
  const ops = new Histogram({
    name: 'gcsmount_fuse_op_duration_seconds',
    help: 'FUSE operations by op and result (ok or errno name); _count is the op count',
    labelNames: ['op', 'errno'] as const,
    buckets: BUCKETS,
    registers,
  });
  const requests = new Counter({
    name: 'gcsmount_gcs_requests_total',
    help: 'Cloud Storage requests by backend method and outcome (ok or the error code)',
    labelNames: ['method', 'outcome'] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: 'gcsmount_gcs_request_duration_seconds',
    help: 'Cloud Storage request latency (retries included) by backend method',
    labelNames: ['method'] as const,
    buckets: BUCKETS,
    registers,
  });
  const fuseBytes = new Counter({
    name: 'gcsmount_fuse_bytes_total',
    help: 'Bytes read from and written to the mount through FUSE',
    labelNames: ['direction'] as const,
    registers,
  });
  const gcsBytes = new Counter({
    name: 'gcsmount_gcs_bytes_total',
    help: 'Bytes received from (object reads) and sent to (uploads that succeeded) Cloud Storage',
    labelNames: ['direction'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'gcsmount_gcs_retries_total',
    help: 'Cloud Storage attempts retried, by the error that caused the retry',
    labelNames: ['code'] as const,
    registers,
  });

  const watch = ({ content, fs }: { content: ContentCache; fs: Filesystem }): void => {
    const tiers = (): {
      tier: string;
      s: { hits: number; misses: number; bytes?: number; blocks?: number; evictions?: number };
    }[] => {
      const s = content.stats();
      return [
        { tier: 'all', s: { hits: s.hits, misses: s.misses } },
        { tier: 'memory', s: s.memory },
        ...(s.disk ? [{ tier: 'disk', s: s.disk }] : []),
      ];
    };
    // Counters fed from cumulative totals kept by the cache itself: reset, then set to the total.
    const total = (
      name: string,
      help: string,
      pick: (s: ReturnType<typeof tiers>[number]['s']) => number | undefined,
    ): void => {
      new Counter({
        name,
        help,
        labelNames: ['tier'] as const,
        registers,
        collect() {
          this.reset();
          for (const { tier, s } of tiers()) {
            const v = pick(s);
            if (v !== undefined) this.inc({ tier }, v);
          }
        },
      });
    };
    total('gcsmount_cache_hits_total', 'Content cache block hits (tier all: either tier)', (s) => s.hits);
    total(
      'gcsmount_cache_misses_total',
      'Content cache block misses (tier all: fetched from storage)',
      (s) => s.misses,
    );
    total('gcsmount_cache_evictions_total', 'Content cache blocks dropped to make room', (s) => s.evictions);
    for (const [name, help, key] of [
      ['gcsmount_cache_bytes', 'Bytes held by the content cache', 'bytes'],
      ['gcsmount_cache_blocks', 'Blocks held by the content cache', 'blocks'],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames: ['tier'] as const,
        registers,
        collect() {
          for (const { tier, s } of tiers()) {
            const v = s[key];
            if (v !== undefined) this.set({ tier }, v);
          }
        },
      });
    }
    const dirty = (): { files: number; bytes: number } => {
      const pending = fs.pendingUploads();
      return { files: pending.length, bytes: pending.reduce((n, p) => n + p.bytes, 0) };
    };
    new Gauge({
      name: 'gcsmount_dirty_bytes',
      help: 'Bytes staged locally and not yet uploaded',
      registers,
      collect() {
        this.set(dirty().bytes);
      },
    });
    new Gauge({
      name: 'gcsmount_upload_queue_files',
      help: 'Files with changes not yet uploaded, open or queued (what a stop would drain)',
      registers,
      collect() {
        this.set(dirty().files);
      },
    });
    // The upload queue (write/upload-queue.ts): scraped from the writer's own figures.
    new Gauge({
      name: 'gcsmount_upload_queue_length',
      help: 'Uploads in the upload queue, by state (queued: waiting for the delay, a slot or a retry)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const s = fs.uploadStats();
        this.set({ state: 'queued' }, s.queued);
        this.set({ state: 'uploading' }, s.uploading);
      },
    });
    new Gauge({
      name: 'gcsmount_upload_pending_bytes',
      help: 'Bytes of the uploads queued or running',
      registers,
      collect() {
        this.set(fs.uploadStats().bytesPending);
      },
    });
    for (const [name, help, key] of [
      ['gcsmount_uploaded_bytes_total', 'Bytes uploaded by the upload queue', 'uploadedBytes'],
      ['gcsmount_uploaded_files_total', 'Objects uploaded by the upload queue', 'uploadedFiles'],
      [
        'gcsmount_upload_failures_total',
        'Uploads that failed for good (a close or fsync got the error, or the queue gave up on a background one)',
        'failures',
      ],
      [
        'gcsmount_upload_retries_total',
        'Whole uploads the queue ran again after a transient failure',
        'retries',
      ],
    ] as const) {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(fs.uploadStats()[key]);
        },
      });
    }
    new Gauge({
      name: 'gcsmount_open_files',
      help: 'Open file handles',
      registers,
      collect() {
        this.set(fs.openFiles());
      },
    });
  };

  return {
    registry,
    observeOp: (op, errno, seconds, bytes) => {
      ops.observe({ op, errno: errnoName(errno) }, seconds);
      if (bytes !== undefined && bytes > 0)
        fuseBytes.inc({ direction: op === 'read' ? 'read' : 'written' }, bytes);
    },
    observeBytes: (direction, bytes) => {
      gcsBytes.inc({ direction }, bytes);
    },
    observeRequest: (method, outcome, seconds) => {
      requests.inc({ method, outcome });
      requestSeconds.observe({ method }, seconds);
    },
    onRetry: ({ code }) => {
      retries.inc({ code });
    },
    watch,
  };
}

/** Serves GET /metrics on host:port; resolves once listening (port 0 picks one: read `port`). */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
  logger: Logger,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        logger.warn('metrics scrape failed', { error: String(err) });
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  logger.info('metrics', { url: `http://${host}:${bound}/metrics` });
  return {
    port: bound,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
