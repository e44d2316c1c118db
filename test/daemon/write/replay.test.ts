// Recovery after a crash, with the crash made by hand: a daemon whose upload never returns (a kill -9
// mid-upload), one whose file is still open, a truncated journal record, a staged file with no record.
// A second filesystem over the same store and cache dir (a remount) settles them all.

import test from 'ava';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StorageBackend } from '../../../storage/backend.js';
import { harness, O_WRONLY } from '../../helpers/fs-harness.js';

/** Waits until `n` staged files' journal records say `closing` (their close is uploading). */
async function closing(cacheDir: string, n: number): Promise<void> {
  const staging = path.join(cacheDir, 'staging');
  for (let i = 0; i < 500; i++) {
    const names = (await readdir(staging).catch(() => [] as string[])).filter((x) => x.endsWith('.json'));
    const texts = await Promise.all(
      names.map((x) => readFile(path.join(staging, x), 'utf8').catch(() => '')),
    );
    if (texts.filter((x) => x.includes('"state":"closing"')).length >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the uploads never started');
}

/** A backend whose uploads never finish: what a daemon killed mid-upload left behind. */
const hangingUploads = (b: StorageBackend): StorageBackend =>
  new Proxy(b, {
    get(target, prop, receiver) {
      if (prop === 'writeObject') return () => new Promise(() => undefined);
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });

test('a file whose close was uploading when the daemon died is uploaded at the next start', async (t) => {
  const crashed = await harness(t, { wrap: hangingUploads });
  await crashed.put('base.txt', 'old');
  const fd = await crashed.fs.create('/new.txt', 0o640);
  await crashed.write(fd, 'closed before the crash', 0);
  void crashed.fs.flush(fd); // never settles: the "crash" comes during the upload
  const over = await crashed.fs.open('/base.txt', O_WRONLY);
  await crashed.write(over, 'NEW', 0);
  void crashed.fs.flush(over);
  await closing(crashed.cacheDir, 2);

  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  const r = await next.fs.recover();
  t.deepEqual(r.uploaded.sort(), ['gs://bkt/base.txt', 'gs://bkt/new.txt']);
  t.is(await next.object('new.txt'), 'closed before the crash');
  t.is(await next.object('base.txt'), 'NEW');
  t.is((await next.fs.getattr('/new.txt')).mode & 0o777, 0o640);
  t.deepEqual(await readdir(path.join(crashed.cacheDir, 'staging')), []);
  t.deepEqual(await next.kept(), []);
});

test('a file still open for writing at the crash is kept (maybe half-written), never uploaded', async (t) => {
  const crashed = await harness(t);
  await crashed.put('f', 'good');
  const fd = await crashed.fs.open('/f', O_WRONLY);
  await crashed.write(fd, 'half', 0);
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  const r = await next.fs.recover();
  t.deepEqual(r, { uploaded: [], kept: ['gs://bkt/f'], dropped: 0 });
  t.is(await next.object('f'), 'good');
  const kept = await next.kept();
  t.like(kept[0], { bucket: 'bkt', object: 'f', size: 4, reason: 'open-at-crash' });
});

test('a closing file whose object changed meanwhile is kept as a conflict; the remote object is untouched', async (t) => {
  const crashed = await harness(t, { wrap: hangingUploads });
  await crashed.put('f', 'v1');
  const fd = await crashed.fs.open('/f', O_WRONLY);
  await crashed.write(fd, 'mine', 0);
  void crashed.fs.flush(fd);
  await closing(crashed.cacheDir, 1);
  await crashed.put('f', 'theirs');
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  t.deepEqual((await next.fs.recover()).kept, ['gs://bkt/f']);
  t.is(await next.object('f'), 'theirs');
  t.like((await next.kept())[0], { object: 'f', reason: 'conflict' });
});

test('a truncated journal record or a staged file with none: kept and named, recovery does not fail', async (t) => {
  const crashed = await harness(t);
  const fd = await crashed.fs.create('/torn', 0o644);
  await crashed.write(fd, 'bytes', 0);
  const staging = path.join(crashed.cacheDir, 'staging');
  const record = (await readdir(staging)).find((n) => n.endsWith('.json'));
  if (!record) throw new Error('no journal record written');
  await truncate(path.join(staging, record), 7); // a crash in the middle of a record write
  await writeFile(path.join(staging, 'orphan'), 'no record at all');
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  const r = await next.fs.recover();
  t.is(r.kept.length, 2);
  t.deepEqual(await readdir(staging), []);
  const kept = await next.kept();
  t.deepEqual(kept.map((k) => k.reason).sort(), ['no-record', 'no-record']);
  t.deepEqual(kept.map((k) => k.size).sort(), [16, 5]);
  t.is(await next.object('torn'), undefined);
});

test('a file uploaded and still open at the crash is dropped: its bytes are in the store', async (t) => {
  const crashed = await harness(t);
  const fd = await crashed.fs.create('/done', 0o644);
  await crashed.write(fd, 'uploaded', 0);
  await crashed.fs.fsync(fd);
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  t.deepEqual(await next.fs.recover(), { uploaded: [], kept: [], dropped: 1 });
  t.is(await next.object('done'), 'uploaded');
});
