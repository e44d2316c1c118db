// Uploads through the queue, seen from the filesystem (the harness: memory backend, a manual clock).
// --async-uploads: close returns with the bytes and a `queued` record on disk and nothing uploaded; stat,
// ls and reads see the pending bytes; the upload runs after --upload-delay, once for a file rewritten at
// once; fsync and a stop do not wait for the delay; a failure after close is retried when transient, then
// logged, counted and kept for recovery. Default mode: close still waits and returns the result.

import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ManualClock } from '../../../common/clock.js';
import { FaultyBackend } from '../../../storage/fake/faulty-backend.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { codeOf, harness, O_RDONLY, O_TRUNC, O_WRONLY, type Harness } from '../../helpers/fs-harness.js';

const ASYNC = ['--async-uploads', '--upload-delay', '2s'];

async function writeFile_(h: Harness, name: string, data: string): Promise<void> {
  const fd = await h.fs.create(`/${name}`, 0o644);
  await h.write(fd, data, 0);
  await h.fs.flush(fd);
  await h.fs.release(fd);
}

/** Waits (real time, bounded) until the queue has nothing waiting or running. */
async function settled(h: Harness): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const s = h.fs.uploadStats();
    if (s.queued === 0 && s.uploading === 0) {
      await new Promise((r) => setTimeout(r, 5)); // the entry's end (discard) follows the job
      return;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the upload queue never settled');
}

/** Waits (real time, bounded) for a condition of the cache dir. */
async function until(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 5));
}

async function records(h: Harness): Promise<string[]> {
  const dir = path.join(h.cacheDir, 'staging');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  return Promise.all(names.map((n) => readFile(path.join(dir, n), 'utf8')));
}

test('async: close returns before the upload, with the bytes and a queued record on disk', async (t) => {
  const clock = new ManualClock();
  const h = await harness(t, { flags: ASYNC, clock });
  await writeFile_(h, 'a.txt', 'hello async');
  t.is(h.requests.counts().writeObject, undefined);
  t.is(await h.object('a.txt'), undefined);
  const recs = await records(h);
  t.is(recs.length, 1);
  t.regex(recs[0] ?? '', /"state":"queued"/);
  // stat, ls and a read see the pending bytes, never the (absent) object
  t.is((await h.fs.getattr('/a.txt')).size, 11);
  t.true((await h.fs.readdir('/')).some((e) => e.name === 'a.txt' && e.attr.size === 11));
  const fd = await h.fs.open('/a.txt', O_RDONLY);
  t.is(await h.readAll(fd), 'hello async');
  await h.fs.release(fd);
  t.like(h.fs.uploadStats(), { queued: 1, bytesPending: 11 });
  await clock.advance(2000);
  await settled(h);
  t.is(await h.object('a.txt'), 'hello async');
  t.like(h.fs.uploadStats(), { queued: 0, uploading: 0, uploadedBytes: 11, uploadedFiles: 1, failures: 0 });
  // The entry ends (its staged file discarded) just after the queue settles.
  await until(async () => (await readdir(path.join(h.cacheDir, 'staging'))).length === 0);
  t.deepEqual(await readdir(path.join(h.cacheDir, 'staging')), []);
  t.is((await h.fs.getattr('/a.txt')).size, 11);
});

test('async: a file rewritten within the delay is uploaded once, with its last bytes', async (t) => {
  const clock = new ManualClock();
  const h = await harness(t, { flags: ASYNC, clock });
  await writeFile_(h, 'f', 'first version');
  await clock.advance(1000);
  const fd = await h.fs.open('/f', O_WRONLY | O_TRUNC);
  await h.write(fd, 'second', 0);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  await clock.advance(1500);
  t.is(h.requests.counts().writeObject, undefined, 'the rewrite restarted the delay');
  await clock.advance(500);
  await settled(h);
  t.is(await h.object('f'), 'second');
  t.is(h.requests.counts().writeObject, 1);
});

test('async: a file reopened and still being written when the delay ends is not uploaded half-written', async (t) => {
  const clock = new ManualClock();
  const h = await harness(t, { flags: ASYNC, clock });
  await writeFile_(h, 'f', 'v1');
  const fd = await h.fs.open('/f', O_WRONLY);
  await h.write(fd, 'v2-partial', 0);
  await clock.advance(5000);
  await settled(h);
  t.is(h.requests.counts().writeObject, undefined);
  await h.write(fd, 'v2-complete', 0);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  await clock.advance(2000);
  await settled(h);
  t.is(await h.object('f'), 'v2-complete');
  t.is(h.requests.counts().writeObject, 1);
});

test('async: fsync waits for the upload, without the delay', async (t) => {
  const h = await harness(t, { flags: ASYNC, clock: new ManualClock() });
  const fd = await h.fs.create('/s', 0o644);
  await h.write(fd, 'synced', 0);
  await h.fs.fsync(fd);
  t.is(await h.object('s'), 'synced');
  await h.fs.release(fd);
});

test('async: a stop drains queued uploads without waiting for their delay', async (t) => {
  const h = await harness(t, {
    flags: [...ASYNC.slice(0, 1), '--upload-delay', '1h'],
    clock: new ManualClock(),
  });
  for (let i = 0; i < 5; i++) await writeFile_(h, `d${i}`, `file ${i}`);
  t.is(h.fs.pendingUploads().length, 5);
  h.fs.stopWrites();
  const r = await h.fs.drain();
  t.deepEqual(r.failed, []);
  for (let i = 0; i < 5; i++) t.is(await h.object(`d${i}`), `file ${i}`);
  t.is(h.fs.pendingUploads().length, 0);
});

test('async: transient failures after close are retried with backoff; the file gets there', async (t) => {
  const clock = new ManualClock();
  let faulty: FaultyBackend | undefined;
  const wrap = (b: StorageBackend): StorageBackend => (faulty = new FaultyBackend(b));
  const h = await harness(t, { flags: ASYNC, clock, wrap });
  faulty?.addRule({ method: 'writeObject', error: 'unavailable', times: 2 });
  await writeFile_(h, 'r', 'retried');
  await clock.advance(2000);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 200 && h.fs.uploadStats().retries <= i; j++)
      await new Promise((r) => setTimeout(r, 5));
    await clock.advance(60_000);
  }
  await settled(h);
  t.is(await h.object('r'), 'retried');
  t.like(h.fs.uploadStats(), { retries: 2, failures: 0, uploadedFiles: 1 });
  t.true(h.logs.some((l) => l.includes('it will be tried again')));
});

test('async: a failure after close is logged, counted and kept for recovery', async (t) => {
  const clock = new ManualClock();
  const h = await harness(t, { flags: ASYNC, clock });
  await h.put('c', 'v1');
  const fd = await h.fs.open('/c', O_WRONLY);
  await h.write(fd, 'mine', 0);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  await h.put('c', 'someone else'); // the upload's precondition fails: a conflict, not retried
  await clock.advance(2000);
  await settled(h);
  t.is(await h.object('c'), 'someone else');
  // The staged bytes move first, their record follows: wait for both.
  await until(async () => (await h.kept()).some((k) => k.bucket === 'bkt'));
  const kept = await h.kept();
  t.is(kept.length, 1);
  t.like(kept[0], { bucket: 'bkt', object: 'c', size: 4, reason: 'conflict' });
  t.like(h.fs.uploadStats(), { failures: 1, retries: 0 });
  t.true(h.logs.some((l) => l.includes('a background upload failed')));
  await until(async () => (await records(h)).length === 0);
  t.deepEqual(await records(h), []);
});

test('default mode: close waits for the upload and returns its error (ESTALE on a 412)', async (t) => {
  const h = await harness(t, { clock: new ManualClock() });
  await h.put('x', 'v1');
  const fd = await h.fs.open('/x', O_WRONLY);
  await h.write(fd, 'v2', 0);
  await h.fs.flush(fd);
  t.is(await h.object('x'), 'v2', 'uploaded by the time close returned');
  await h.write(fd, 'v3', 0);
  await h.put('x', 'remote');
  t.is(await codeOf(t, h.fs.flush(fd)), 'stale');
  await h.fs.release(fd);
  t.like(h.fs.uploadStats(), { uploadedFiles: 1, failures: 1 }); // release never retries a conflict
});

test('uploads run at most --upload-concurrency at once', async (t) => {
  let inFlight = 0;
  let most = 0;
  const wrap = (b: StorageBackend): StorageBackend =>
    new Proxy(b, {
      get(target, prop, receiver) {
        if (prop !== 'writeObject') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<StorageBackend['writeObject']>) => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          try {
            return await target.writeObject(...args);
          } finally {
            inFlight--;
          }
        };
      },
    });
  const h = await harness(t, {
    flags: [...ASYNC, '--upload-concurrency', '2'],
    clock: new ManualClock(),
    wrap,
  });
  for (let i = 0; i < 8; i++) await writeFile_(h, `c${i}`, `${i}`);
  h.fs.stopWrites();
  await h.fs.drain();
  t.is(most, 2);
  for (let i = 0; i < 8; i++) t.is(await h.object(`c${i}`), `${i}`);
});

test('async: files closed but not uploaded when the daemon dies are uploaded at the next start', async (t) => {
  const crashed = await harness(t, {
    flags: ['--async-uploads', '--upload-delay', '1h'],
    clock: new ManualClock(),
  });
  await crashed.put('old', 'v1');
  for (let i = 0; i < 3; i++) await writeFile_(crashed, `q${i}`, `queued ${i}`);
  const fd = await crashed.fs.open('/old', O_WRONLY | O_TRUNC);
  await crashed.write(fd, 'v2', 0);
  await crashed.fs.flush(fd); // closed (queued), the descriptor never released: the "crash" comes first
  t.is(crashed.requests.counts().writeObject, undefined);
  // The remount: the same store and cache dir, a new daemon.
  const next = await harness(t, { cacheDir: crashed.cacheDir, memory: crashed.memory });
  const r = await next.fs.recover();
  t.is(r.queued.length, 4);
  t.deepEqual(r.kept, []);
  await r.settled;
  for (let i = 0; i < 3; i++) t.is(await next.object(`q${i}`), `queued ${i}`);
  t.is(await next.object('old'), 'v2');
  await until(async () => (await readdir(path.join(crashed.cacheDir, 'staging'))).length === 0);
  t.deepEqual(await readdir(path.join(crashed.cacheDir, 'staging')), []);
});
