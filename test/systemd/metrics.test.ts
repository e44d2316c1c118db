import test from 'ava';
import { createServer } from 'node:net';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { bucket, emulator, put } from '../helpers/emulator.js';
import { mounted, waitUntil } from '../helpers/mount.js';
import { runOk } from '../helpers/tools.js';
import { startDaemon, within, workDir } from './daemon.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The value of one sample line (`name{labels} value`), 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('--metrics-port serves Prometheus metrics that move with ls and cp', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const w = await workDir(t);
  const port = await freePort();
  const d = startDaemon(t, { emu, ...w, bucket: b, flags: ['--metrics-port', String(port)] });
  await waitUntil(() => mounted(w.dir), 'the mount');
  const scrape = async (): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    t.is(res.status, 200);
    t.regex(res.headers.get('content-type') ?? '', /^text\/plain/);
    return res.text();
  };
  const before = await scrape();
  const readdirs = 'gcsmount_fuse_op_duration_seconds_count{op="readdir",errno="ok"}';
  const creates = 'gcsmount_fuse_op_duration_seconds_count{op="create",errno="ok"}';
  const uploads = 'gcsmount_gcs_requests_total{method="writeObject",outcome="ok"}';

  await runOk('ls', ['-la', w.dir]);
  await runOk('cp', [path.resolve(import.meta.dirname, '../../package.json'), path.join(w.dir, 'p.json')]);
  await runOk('cat', [path.join(w.dir, 'p.json')]);
  await runOk('ls', [path.join(w.dir, 'absent')]).catch(() => undefined);
  // One 503 on a read: the client retries (after ~1 s of backoff) and the retry is counted.
  await put(emu, b, 'flaky.txt', 'flaky');
  emu.faults.set({
    seed: 1,
    rules: [
      { match: { pathPrefix: `/${b}/flaky.txt` }, effect: { kind: 'status', statuses: [503] }, times: 1 },
    ],
  });
  t.is(await runOk('cat', [path.join(w.dir, 'flaky.txt')]), 'flaky');

  const after = await scrape();
  t.true(sample(after, readdirs) > sample(before, readdirs), after);
  t.true(sample(after, creates) >= 1);
  t.true(sample(after, uploads) >= 1);
  t.true(sample(after, 'gcsmount_fuse_op_duration_seconds_count{op="getattr",errno="ENOENT"}') >= 1);
  t.true(sample(after, 'gcsmount_gcs_requests_total{method="headBucket",outcome="ok"}') >= 1);
  t.true(sample(after, 'gcsmount_gcs_retries_total{code="unavailable"}') >= 1, after);
  t.regex(after, /^gcsmount_cache_misses_total\{tier="all"\} \d+/m);
  t.regex(after, /^gcsmount_cache_bytes\{tier="memory"\} \d+/m);
  // package.json was written through FUSE, sent to the store, and read back (plus flaky.txt's 5 bytes).
  const size = (await stat(path.resolve(import.meta.dirname, '../../package.json'))).size;
  t.true(sample(after, 'gcsmount_fuse_bytes_total{direction="written"}') >= size, after);
  t.true(sample(after, 'gcsmount_fuse_bytes_total{direction="read"}') >= size + 5, after);
  t.true(sample(after, 'gcsmount_gcs_bytes_total{direction="sent"}') >= size, after);
  t.true(sample(after, 'gcsmount_gcs_bytes_total{direction="received"}') >= 5, after);
  t.is(sample(after, 'gcsmount_dirty_bytes'), 0);
  t.is(sample(after, 'gcsmount_upload_queue_files'), 0);
  t.regex(after, /^gcsmount_gcs_request_duration_seconds_bucket\{le="\+Inf",method="writeObject"\} \d+/m);
  t.is((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);

  d.child.kill('SIGTERM');
  t.is(await within(20_000, 'exit', d.exited), 0);
});
