// Recovery after a crash, with the crash made by hand: a daemon whose upload never returns (a kill -9
// mid-upload), one whose file is still open, a truncated journal record, a staged file with no record.
// A second filesystem over the same store and cache dir (a remount) settles them all.

import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MODE_KEY, MTIME_KEY } from '../../../daemon/posix/attrs.js';
import type { JournalRecord } from '../../../daemon/write/journal.js';
import { isGrowing, type StorageBackend, type WriteOptions } from '../../../storage/backend.js';
import { hashBuffer } from '../../../storage/checksums.js';
import { harness, O_RDONLY, O_WRONLY, type Harness } from '../../helpers/fs-harness.js';

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

/** Waits (real time, bounded) for a condition. */
async function until(cond: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 400 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 5));
}

/** A backend that notes the options of every writeObject (the session a replay resumes). */
const noting =
  (asked: WriteOptions[]) =>
  (b: StorageBackend): StorageBackend =>
    new Proxy(b, {
      get(target, prop, receiver) {
        if (prop !== 'writeObject') return Reflect.get(target, prop, receiver) as unknown;
        return (...args: Parameters<StorageBackend['writeObject']>) => {
          asked.push(args[3] ?? {});
          return target.writeObject(...args);
        };
      },
    });

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
  t.deepEqual(r.queued.sort(), ['gs://bkt/base.txt', 'gs://bkt/new.txt']);
  await r.settled;
  t.is(await next.object('new.txt'), 'closed before the crash');
  t.is(await next.object('base.txt'), 'NEW');
  t.is((await next.fs.getattr('/new.txt')).mode & 0o777, 0o640);
  await until(async () => (await readdir(path.join(crashed.cacheDir, 'staging'))).length === 0);
  t.deepEqual(await next.kept(), []);
});

test('a file still open for writing at the crash is kept (maybe half-written), never uploaded', async (t) => {
  const crashed = await harness(t);
  await crashed.put('f', 'good');
  const fd = await crashed.fs.open('/f', O_WRONLY);
  await crashed.write(fd, 'half', 0);
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  const r = await next.fs.recover();
  t.like(r, { queued: [], kept: ['gs://bkt/f'], dropped: 0 });
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
  const r = await next.fs.recover();
  t.deepEqual(r.queued, ['gs://bkt/f']);
  await r.settled;
  t.is(await next.object('f'), 'theirs');
  await until(async () => (await next.kept()).length === 1);
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

/** `f` holds 'good old bytes'; `written` goes over its start and the close's upload never ends (the crash
 *  comes during it). Returns the dead run's harness and its staged file. */
async function crashedClosing(
  t: ExecutionContext,
  written: string,
): Promise<{ crashed: Harness; file: string }> {
  const crashed = await harness(t, { wrap: hangingUploads });
  await crashed.put('f', 'good old bytes');
  const fd = await crashed.fs.open('/f', O_WRONLY);
  await crashed.write(fd, written, 0);
  void crashed.fs.flush(fd); // never settles
  await closing(crashed.cacheDir, 1);
  const staging = path.join(crashed.cacheDir, 'staging');
  const file = (await readdir(staging)).find((n) => !n.endsWith('.json'));
  if (!file) throw new Error('no staged file');
  return { crashed, file: path.join(staging, file) };
}

/** The next start over the dead run's store and cache dir: `f` is kept for `reason`, never uploaded. */
async function keptAtNextStart(
  t: ExecutionContext,
  crashed: Harness,
  size: number,
  reason: string,
): Promise<void> {
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  const r = await next.fs.recover();
  t.like(r, { queued: [], kept: ['gs://bkt/f'] });
  await r.settled;
  t.is(await next.object('f'), 'good old bytes');
  t.like((await next.kept())[0], { object: 'f', size, reason });
}

test('a closed file whose staged bytes are shorter than its record says (a power cut) is kept, never uploaded', async (t) => {
  const { crashed, file } = await crashedClosing(t, 'NEW BYTES, LONGER');
  await truncate(file, 0); // the power cut lost the bytes the record describes
  await keptAtNextStart(t, crashed, 0, 'size-mismatch');
});

test('a closed small file whose staged bytes are as long but not the ones its record names (a power cut) is kept', async (t) => {
  const { crashed, file } = await crashedClosing(t, 'NEW BYTES');
  const record = JSON.parse(await readFile(`${file}.json`, 'utf8')) as JournalRecord;
  const staged = await readFile(file);
  t.is(staged.toString(), 'NEW BYTESbytes');
  t.is(record.crc32c, hashBuffer(staged, { md5: false }).crc32c);
  // The power cut kept the record and the length; the bytes never reached the disk.
  await writeFile(file, Buffer.alloc(record.size));
  await keptAtNextStart(t, crashed, 14, 'content-mismatch');
});

/** A new file `name` whose close's upload never ends (the crash comes during it): the dead run's harness. */
async function createdClosing(t: ExecutionContext, name: string, data: string): Promise<Harness> {
  const crashed = await harness(t, { wrap: hangingUploads });
  const fd = await crashed.fs.create(`/${name}`, 0o644);
  await crashed.write(fd, data, 0);
  void crashed.fs.flush(fd);
  await closing(crashed.cacheDir, 1);
  return crashed;
}

test('a closed small file whose bytes match its record CRC32C is uploaded at the next start', async (t) => {
  const crashed = await createdClosing(t, 'f', 'all there');
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  const r = await next.fs.recover();
  t.deepEqual(r.queued, ['gs://bkt/f']);
  await r.settled;
  t.is(await next.object('f'), 'all there');
});

test('records whose staged file is gone (a crash after the discard) are removed; nothing is kept for them', async (t) => {
  const crashed = await createdClosing(t, 'live', 'still staged');
  const staging = path.join(crashed.cacheDir, 'staging');
  await writeFile(path.join(staging, 'gone.json'), '{"v":1}');
  await writeFile(path.join(staging, 'gone-too.json.tmp'), '{"v":1}');
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  const r = await next.fs.recover();
  t.deepEqual(r.queued, ['gs://bkt/live']);
  await r.settled;
  t.is(await next.object('live'), 'still staged');
  t.deepEqual(await next.kept(), []);
  const left = await readdir(staging);
  t.false(left.some((n) => n.startsWith('gone')));
});

test('a file uploaded and still open at the crash is dropped: its bytes are in the store', async (t) => {
  const crashed = await harness(t);
  const fd = await crashed.fs.create('/done', 0o644);
  await crashed.write(fd, 'uploaded', 0);
  await crashed.fs.fsync(fd);
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  t.like(await next.fs.recover(), { queued: [], kept: [], dropped: 1 });
  t.is(await next.object('done'), 'uploaded');
});

test('replay answers at once: closed files are pending (stat, read) while their uploads run, several at a time', async (t) => {
  const crashed = await harness(t, { wrap: hangingUploads });
  for (let i = 0; i < 6; i++) {
    const fd = await crashed.fs.create(`/f${i}`, 0o644);
    await crashed.write(fd, `closed ${i}`, 0);
    void crashed.fs.flush(fd);
  }
  await closing(crashed.cacheDir, 6);

  let inFlight = 0;
  let most = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const gated = (b: StorageBackend): StorageBackend =>
    new Proxy(b, {
      get(target, prop, receiver) {
        if (prop !== 'writeObject') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<StorageBackend['writeObject']>) => {
          most = Math.max(most, ++inFlight);
          await gate;
          inFlight--;
          return target.writeObject(...args);
        };
      },
    });
  const next = await harness(t, {
    memory: crashed.memory,
    cacheDir: crashed.cacheDir,
    wrap: gated,
    flags: ['--upload-concurrency', '3'],
  });
  const r = await next.fs.recover(); // returns with every upload still held at the gate
  t.is(r.queued.length, 6);
  t.is(await next.object('f0'), undefined);
  t.is((await next.fs.getattr('/f0')).size, 'closed 0'.length);
  const fd = await next.fs.open('/f5', O_RDONLY);
  t.is(await next.readAll(fd), 'closed 5');
  await next.fs.release(fd);
  t.true((await next.fs.readdir('/')).some((e) => e.name === 'f3'));
  await until(() => inFlight === 3);
  t.is(most, 3); // concurrent, bounded by the queue
  open();
  await r.settled;
  for (let i = 0; i < 6; i++) t.is(await next.object(`f${i}`), `closed ${i}`);
  t.is(most, 3);
  await until(async () => (await readdir(path.join(crashed.cacheDir, 'staging'))).length === 0);
  t.deepEqual(await readdir(path.join(crashed.cacheDir, 'staging')), []);
});

test('the journal records a resumable session as the store confirms bytes; the replay resumes that session', async (t) => {
  const SESSION = 'http://127.0.0.1:9/test-bucket/big?upload_id=dead-run';
  // The dead run: its session had 4 bytes confirmed, then the daemon died.
  const crashed = await harness(t, {
    wrap: (b) =>
      new Proxy(b, {
        get(target, prop, receiver) {
          if (prop !== 'writeObject') return Reflect.get(target, prop, receiver) as unknown;
          return async (...[, , , options]: Parameters<StorageBackend['writeObject']>) => {
            await options?.resumable?.onProgress?.({ session: SESSION, persisted: 4 });
            return new Promise(() => undefined);
          };
        },
      }),
  });
  const fd = await crashed.fs.create('/big', 0o644);
  await crashed.write(fd, 'resumable bytes', 0);
  void crashed.fs.flush(fd);
  const staging = path.join(crashed.cacheDir, 'staging');
  const recorded = async (): Promise<string> => {
    const names = (await readdir(staging)).filter((n) => n.endsWith('.json'));
    return (await Promise.all(names.map((n) => readFile(path.join(staging, n), 'utf8')))).join('');
  };
  await until(async () => (await recorded()).includes('dead-run'));
  t.like(JSON.parse(await recorded()), { state: 'closing', session: SESSION, persisted: 4 });

  const asked: WriteOptions[] = [];
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir, wrap: noting(asked) });
  await (
    await next.fs.recover()
  ).settled;
  t.deepEqual(
    asked.map((o) => o.resumable?.session),
    [SESSION],
  );
  t.is(await next.object('big'), 'resumable bytes');
});

test('a replayed upload the dead run had stored (its answer lost in the crash) is settled, not a conflict', async (t) => {
  // The dead run's upload reached the store; the crash came before its answer (and the `uploaded` record).
  const crashed = await harness(t, {
    wrap: (b) =>
      new Proxy(b, {
        get(target, prop, receiver) {
          if (prop !== 'writeObject') return Reflect.get(target, prop, receiver) as unknown;
          return async (...args: Parameters<StorageBackend['writeObject']>) => {
            await target.writeObject(...args);
            return new Promise(() => undefined);
          };
        },
      }),
  });
  await crashed.put('f', 'old');
  const fd = await crashed.fs.open('/f', O_WRONLY);
  await crashed.write(fd, 'new', 0);
  void crashed.fs.flush(fd);
  await closing(crashed.cacheDir, 1);
  await until(async () => (await crashed.object('f')) === 'new');

  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  const r = await next.fs.recover();
  t.deepEqual(r.queued, ['gs://bkt/f']);
  await r.settled;
  await until(async () => (await readdir(path.join(crashed.cacheDir, 'staging'))).length === 0);
  t.deepEqual(await next.kept(), []);
  t.is(await next.object('f'), 'new');
  t.false(next.logs.some((l) => /changed in the bucket/.test(l)));
});

const MiB = 1024 * 1024;
const STREAMED = 'http://127.0.0.1:9/test-bucket/big?upload_id=streamed';

/** A store whose streaming upload opens a session, confirms the first 16 MiB once they are written, and
 *  then never answers: what a daemon killed while it streamed left behind. */
const streamThenHang = (b: StorageBackend): StorageBackend =>
  new Proxy(b, {
    get(target, prop, receiver) {
      if (prop !== 'writeObject') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<StorageBackend['writeObject']>) => {
        const [, , source, options] = args;
        if (!isGrowing(source)) return target.writeObject(...args);
        await options?.resumable?.onProgress?.({ session: STREAMED, persisted: 0 });
        await source.wait(16 * MiB);
        await options?.resumable?.onProgress?.({ session: STREAMED, persisted: 16 * MiB });
        return new Promise(() => undefined);
      };
    },
  });

async function records(cacheDir: string): Promise<JournalRecord[]> {
  const staging = path.join(cacheDir, 'staging');
  const names = (await readdir(staging).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  const texts = await Promise.all(names.map((n) => readFile(path.join(staging, n), 'utf8').catch(() => '')));
  return texts.filter((x) => x !== '').map((x) => JSON.parse(x) as JournalRecord);
}

async function appendMiB(h: Harness, fd: number, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; at += MiB) {
    const piece = bytes.subarray(at, at + MiB);
    await h.fs.write(fd, piece, piece.length, at);
  }
}

test('a streamed upload journals its session; a crash during its last chunk resumes that session at the next start', async (t) => {
  const crashed = await harness(t, { wrap: streamThenHang });
  const bytes = randomBytes(20 * MiB);
  const fd = await crashed.fs.create('/big', 0o644);
  await appendMiB(crashed, fd, bytes);
  await until(async () => (await records(crashed.cacheDir))[0]?.persisted === 16 * MiB);
  // While the file is open the record says so, with the session and what the store confirmed.
  t.like((await records(crashed.cacheDir))[0], { state: 'open', session: STREAMED, persisted: 16 * MiB });
  await crashed.fs.chmod('/big', 0o600);
  void crashed.fs.flush(fd);
  await until(async () => (await records(crashed.cacheDir))[0]?.state === 'closing');
  const [record] = await records(crashed.cacheDir);
  t.like(record, { state: 'closing', session: STREAMED, persisted: 16 * MiB, size: 20 * MiB });
  // The session was started before the chmod (or a later write's mtime): the record says with what.
  t.is(record?.sessionWritable?.metadata[MODE_KEY], '644');
  t.is(record?.writable.metadata[MODE_KEY], '600');

  const asked: WriteOptions[] = [];
  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir, wrap: noting(asked) });
  const r = await next.fs.recover();
  t.deepEqual(r.queued, ['gs://bkt/big']);
  await r.settled;
  t.deepEqual(
    asked.map((o) => o.resumable?.session),
    [STREAMED],
  );
  t.is(asked[0]?.metadata?.[MODE_KEY], '644'); // the session's own metadata first
  const meta = await next.memory.statObject('bkt', 'big');
  t.is(meta.size, bytes.length);
  // Then the metadata the close meant, over the generation the session made.
  t.is(meta.metadata[MODE_KEY], '600');
  t.is(meta.metadata[MTIME_KEY], record?.writable.metadata[MTIME_KEY]);
  t.is(next.requests.counts().updateObjectMetadata, 1);
  const chunks: Buffer[] = [];
  for await (const c of (await next.memory.readObject('bkt', 'big')).body as AsyncIterable<Buffer>)
    chunks.push(c);
  t.true(Buffer.concat(chunks).equals(bytes));
  await until(async () => (await readdir(path.join(crashed.cacheDir, 'staging'))).length === 0);
  t.deepEqual(await readdir(path.join(crashed.cacheDir, 'staging')), []);
});

test('a crash while a streamed file is still open: kept (maybe half-written), never uploaded; its session is cancelled', async (t) => {
  const crashed = await harness(t, { wrap: streamThenHang });
  const fd = await crashed.fs.create('/big', 0o644);
  await appendMiB(crashed, fd, randomBytes(18 * MiB));
  await until(async () => (await records(crashed.cacheDir))[0]?.persisted === 16 * MiB);

  const next = await harness(t, { memory: crashed.memory, cacheDir: crashed.cacheDir });
  const r = await next.fs.recover();
  t.deepEqual(r.kept, ['gs://bkt/big']);
  await r.settled;
  t.is(next.requests.counts().cancelUpload, 1);
  t.is(next.requests.counts().writeObject, undefined);
  t.is(await next.object('big'), undefined);
  t.like(await next.kept(), [{ object: 'big', reason: 'open-at-crash', size: 18 * MiB }]);
});
