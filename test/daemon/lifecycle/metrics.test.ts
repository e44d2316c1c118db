import test from 'ava';
import { ContentCache } from '../../../cache/content-cache.js';
import { MemoryBlocks } from '../../../cache/memory-blocks.js';
import { silentLogger } from '../../../common/logger.js';
import type { Filesystem } from '../../../daemon/fs/filesystem.js';
import { createMetrics, errnoName, serveMetrics } from '../../../daemon/lifecycle/metrics.js';

test('errno names: ok for 0, names for fuse-native negatives and positives', (t) => {
  t.is(errnoName(0), 'ok');
  t.is(errnoName(-2), 'ENOENT');
  t.is(errnoName(30), 'EROFS');
  t.is(errnoName(-9999), 'E9999');
});

test('ops, requests, retries and scrape-time state land in the registry', async (t) => {
  const m = await createMetrics();
  m.observeOp('getattr', 0, 0.001);
  m.observeOp('getattr', -2, 0.002);
  m.observeOp('read', 0, 0.001, 131072);
  m.observeOp('read', 0, 0.001, 4096);
  m.observeOp('write', 0, 0.001, 10);
  m.observeBytes('received', 135168);
  m.observeBytes('sent', 10);
  m.observeRequest('statObject', 'not-found', 0.01);
  m.onRetry({ code: 'unavailable' });
  m.onRetry({ code: 'rate-limited' });
  m.onRetry({ code: 'rate-limited' });
  const fs: Pick<Filesystem, 'pendingUploads' | 'openFiles' | 'uploadStats'> = {
    pendingUploads: () => [{ object: 'gs://b/dirty', bytes: 1234 }],
    openFiles: () => 2,
    uploadStats: () => ({
      queued: 3,
      uploading: 1,
      bytesPending: 4096,
      completed: 7,
      failed: 1,
      retries: 2,
      uploadedBytes: 70_000,
      uploadedFiles: 7,
      failures: 1,
      journalWrites: 21,
    }),
  };
  m.watch({
    content: new ContentCache({ memory: new MemoryBlocks({ maxBytes: 1 << 20 }) }),
    fs: fs as Filesystem,
  });
  const text = await m.registry.metrics();
  t.regex(text, /^gcsmount_fuse_op_duration_seconds_count\{op="getattr",errno="ok"\} 1$/m);
  t.regex(text, /^gcsmount_fuse_op_duration_seconds_count\{op="getattr",errno="ENOENT"\} 1$/m);
  t.regex(text, /^gcsmount_gcs_requests_total\{method="statObject",outcome="not-found"\} 1$/m);
  t.regex(text, /^gcsmount_fuse_bytes_total\{direction="read"\} 135168$/m);
  t.regex(text, /^gcsmount_fuse_bytes_total\{direction="written"\} 10$/m);
  t.regex(text, /^gcsmount_gcs_bytes_total\{direction="received"\} 135168$/m);
  t.regex(text, /^gcsmount_gcs_bytes_total\{direction="sent"\} 10$/m);
  t.regex(text, /^gcsmount_gcs_retries_total\{code="unavailable"\} 1$/m);
  t.regex(text, /^gcsmount_gcs_retries_total\{code="rate-limited"\} 2$/m);
  t.regex(text, /^gcsmount_dirty_bytes 1234$/m);
  t.regex(text, /^gcsmount_upload_queue_files 1$/m);
  t.regex(text, /^gcsmount_open_files 2$/m);
  t.regex(text, /^gcsmount_upload_queue_length\{state="queued"\} 3$/m);
  t.regex(text, /^gcsmount_upload_queue_length\{state="uploading"\} 1$/m);
  t.regex(text, /^gcsmount_upload_pending_bytes 4096$/m);
  t.regex(text, /^gcsmount_uploaded_bytes_total 70000$/m);
  t.regex(text, /^gcsmount_uploaded_files_total 7$/m);
  t.regex(text, /^gcsmount_upload_failures_total 1$/m);
  t.regex(text, /^gcsmount_upload_retries_total 2$/m);
  t.regex(text, /^gcsmount_cache_misses_total\{tier="all"\} 0$/m);
  t.regex(text, /^gcsmount_cache_bytes\{tier="memory"\} 0$/m);
});

test('the endpoint serves /metrics on loopback and 404 elsewhere', async (t) => {
  const m = await createMetrics();
  const s = await serveMetrics(m.registry, 0, '127.0.0.1', silentLogger);
  t.teardown(() => s.close());
  const res = await fetch(`http://127.0.0.1:${s.port}/metrics`);
  t.is(res.status, 200);
  t.regex(await res.text(), /gcsmount_fuse_op_duration_seconds/);
  t.is((await fetch(`http://127.0.0.1:${s.port}/`)).status, 404);
});

test('gcsmount_build_info carries the version as a label', async (t) => {
  const text = await (await createMetrics({ version: '1.2.3' })).registry.metrics();
  t.regex(text, /^gcsmount_build_info\{version="1\.2\.3"\} 1$/m);
});
