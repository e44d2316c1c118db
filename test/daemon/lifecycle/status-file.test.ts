import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  describeUploads,
  formatBytes,
  publishStatus,
  readStatus,
  type MountStatus,
} from '../../../daemon/lifecycle/status-file.js';
import { describe } from '../../../daemon/status-command.js';

const sample = (pending: number, bytes: number): MountStatus => ({
  pid: 42,
  bucket: 'b',
  mountpoint: '/mnt/b',
  startedAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:01.000Z',
  state: 'draining',
  uploads: { pending, bytes, objects: pending > 0 ? ['gs://b/x'] : [] },
  cache: { memoryBytes: 2048, hits: 3, misses: 1 },
  errors: { ops: 0, keptUploads: 0 },
  keptDir: '/var/cache/gcsmount/id/failed-uploads',
  logs: 'stderr',
});

test('sizes and upload counts read as a person says them', (t) => {
  t.is(formatBytes(0), '0 B');
  t.is(formatBytes(1536), '1.5 KiB');
  t.is(formatBytes(120 * 1024 * 1024), '120 MiB');
  t.is(describeUploads({ pending: 3, bytes: 120 * 1024 * 1024, objects: [] }), '3 uploads (120 MiB)');
  t.is(describeUploads({ pending: 1, bytes: 5, objects: [] }), '1 upload (5 B)');
});

test('status text lists pending uploads, the ones not listed, cache and errors', (t) => {
  const text = describe(sample(3, 3072));
  t.regex(text, /^gs:\/\/b at \/mnt\/b: draining \(pid 42/);
  t.regex(text, /^uploads: 3 pending \(3\.0 KiB\)$/m);
  t.regex(text, /^ {2}gs:\/\/b\/x$/m);
  t.regex(text, /^ {2}\.\.\. and 2 more$/m);
  t.regex(text, /^cache: memory 2\.0 KiB; 3 hits, 1 misses$/m);
  t.regex(text, /^kept uploads: 0$/m);
});

test('the published file is readable by mountpoint and removed on close', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-status-'));
  process.env.GCSMOUNT_RUNTIME_DIR = dir;
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let pending = 2;
  const p = await publishStatus('/mnt/b', () => Promise.resolve(sample(pending, 10)), 60_000);
  t.is((await readStatus('/mnt/b'))?.uploads.pending, 2);
  pending = 1;
  await p.publish();
  t.is((await readStatus('/mnt/b'))?.uploads.pending, 1);
  await p.close();
  t.is(await readStatus('/mnt/b'), undefined);
});

test('status text shows the upload queue: waiting, uploading, uploaded, failed, retried', (t) => {
  const s = sample(2, 2048);
  s.uploads.queue = {
    queued: 1,
    uploading: 1,
    uploadedFiles: 20,
    uploadedBytes: 20 << 20,
    failures: 1,
    retries: 3,
  };
  t.regex(
    describe(s),
    /^uploads: 2 pending \(2\.0 KiB\); queue: 1 waiting, 1 uploading; 20 uploaded \(20 MiB\), 1 failed, 3 retried$/m,
  );
});
