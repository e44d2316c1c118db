// Spare staging slots: the slot of a file uploaded (or unlinked) and let go is emptied and kept for the
// next new file, out of staging/; the next start deletes the spares and settles staging/ as before.

import test from 'ava';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readJournal, RECORD_SUFFIX } from '../../../daemon/write/journal.js';
import { RecordFile } from '../../../daemon/write/record-file.js';
import { MAX_SPARES } from '../../../daemon/write/spare-slots.js';
import { StagingFile } from '../../../daemon/write/staging-file.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { harness, O_WRONLY, type Harness } from '../../helpers/fs-harness.js';

const names = (dir: string): Promise<string[]> =>
  readdir(dir).then(
    (n) => n.sort(),
    () => [],
  );

const dirs = (h: Harness): { staging: string; spare: string } => ({
  staging: path.join(h.cacheDir, 'staging'),
  spare: path.join(h.cacheDir, 'spare'),
});

async function writeAndClose(h: Harness, name: string, data: string): Promise<void> {
  const fd = await h.fs.create(`/${name}`, 0o644);
  await h.write(fd, data, 0);
  await h.fs.flush(fd);
  await h.fs.release(fd);
}

test('an uploaded file leaves its slot as a spare, and the next new file takes it: no file is created', async (t) => {
  const h = await harness(t);
  const { staging, spare } = dirs(h);
  await writeAndClose(h, 'first-with-a-long-name', 'first');
  t.deepEqual(await names(staging), []);
  const [id, record] = await names(spare);
  t.is(record, `${id}${RECORD_SUFFIX}`);
  const inodes = [(await stat(path.join(spare, id!))).ino, (await stat(path.join(spare, record!))).ino];
  t.is((await stat(path.join(spare, id!))).size, 0); // emptied as it was kept

  const fd = await h.fs.create('/b', 0o644);
  t.deepEqual(await names(spare), []);
  t.deepEqual(await names(staging), [id, record]);
  t.deepEqual(
    [(await stat(path.join(staging, id!))).ino, (await stat(path.join(staging, record!))).ino],
    inodes,
  );
  // The record is the new file's, whole (a shorter record over a longer one is padded: JSON parses).
  t.like(await readJournal(path.join(staging, id!)), { object: 'b', state: 'open', size: 0 });
  t.is(await h.readAll(fd), '');
  await h.write(fd, 'second', 0);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.is(await h.object('first-with-a-long-name'), 'first');
  t.is(await h.object('b'), 'second');
});

test('a file removed while open gives up its slot too, and none of its bytes reach the next file', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/secret', 0o644);
  await h.write(fd, 'do not leak', 0);
  await h.fs.unlink('/secret');
  await h.fs.release(fd);
  t.is((await names(dirs(h).spare)).length, 2);
  const next = await h.fs.create('/next', 0o644);
  await h.write(next, 'ok', 0);
  t.is(await h.readAll(next), 'ok');
  await h.fs.flush(next);
  await h.fs.release(next);
  t.is(await h.object('next'), 'ok');
  t.is(await h.object('secret'), undefined);
});

test(`at most ${MAX_SPARES} spares are kept; a stop's drain removes them`, async (t) => {
  const h = await harness(t);
  const fds: number[] = [];
  for (let i = 0; i < MAX_SPARES + 3; i++) {
    const fd = await h.fs.create(`/f${i}`, 0o644);
    await h.write(fd, `${i}`, 0);
    await h.fs.flush(fd);
    fds.push(fd);
  }
  for (const fd of fds) await h.fs.release(fd);
  t.is((await names(dirs(h).spare)).length, 2 * MAX_SPARES);
  t.deepEqual(await names(dirs(h).staging), []);
  h.fs.stopWrites();
  await h.fs.drain();
  t.deepEqual(await names(dirs(h).spare), []);
});

test('a crash with spares kept loses nothing: the next start deletes the spares and keeps the open file', async (t) => {
  const h = await harness(t);
  const a = await h.fs.create('/a', 0o644);
  const b = await h.fs.create('/b', 0o644); // open together: two slots
  await h.write(a, 'uploaded', 0);
  await h.fs.flush(a);
  await h.fs.release(a);
  await h.fs.release(b);
  const fd = await h.fs.create('/open', 0o644); // takes a spare
  await h.write(fd, 'half', 0);
  t.is((await names(dirs(h).spare)).length, 2);
  // The "crash": nothing is released; the next start finds the spare and the open file.
  const next = await harness(t, { memory: h.memory, cacheDir: h.cacheDir });
  const r = await next.fs.recover();
  t.deepEqual(r.kept, ['gs://bkt/open']);
  t.deepEqual(r.queued, []);
  const [kept] = await next.kept();
  t.like(kept, { object: 'open', size: 4, reason: 'open-at-crash' });
  t.is(await readFile(kept!.file, 'utf8'), 'half');
  t.deepEqual(await names(dirs(h).spare), []);
  t.deepEqual(await names(dirs(h).staging), []);
  t.is(await next.object('a'), 'uploaded');
});

test('a power cut that leaves an older file record over a reused slot never uploads the new bytes as that file', async (t) => {
  // The uploads of b never finish: the power cut comes during its close.
  const hangB = (b: StorageBackend): StorageBackend =>
    new Proxy(b, {
      get(target, prop, receiver) {
        if (prop !== 'writeObject') return Reflect.get(target, prop, receiver) as unknown;
        return (...args: Parameters<StorageBackend['writeObject']>) =>
          args[1] === 'b' ? new Promise(() => undefined) : target.writeObject(...args);
      },
    });
  const h = await harness(t, { wrap: hangB });
  const { staging, spare } = dirs(h);
  await writeAndClose(h, 'a', 'aaaa');
  const [, record] = await names(spare);
  const older = await readFile(path.join(spare, record!)); // a's `closing` record, with its CRC32C
  const fd = await h.fs.create('/b', 0o644); // the same slot
  await h.write(fd, 'bbbb', 0);
  void h.fs.flush(fd);
  for (let i = 0; i < 200 && !(await readFile(path.join(staging, record!), 'utf8')).includes('closing'); i++)
    await new Promise((r) => setTimeout(r, 5));
  // What the disk may hold after the cut: b's bytes (same length) under a's record, never written back
  // since. And a was deleted meanwhile, so its generation precondition would not stop the upload.
  await writeFile(path.join(staging, record!), older);
  await h.memory.deleteObject('bkt', 'a');
  const next = await harness(t, { memory: h.memory, cacheDir: h.cacheDir });
  const r = await next.fs.recover();
  await r.settled;
  t.deepEqual(r.kept, ['gs://bkt/a']);
  t.like((await next.kept())[0], { object: 'a', size: 4, reason: 'content-mismatch' });
  t.is(await next.object('a'), undefined);
});

test.serial('a slot moves so that a crash at any step leaves staging/ as replay knows it', async (t) => {
  const h = await harness(t);
  const { staging } = dirs(h);
  const seen: string[][] = [];
  const look = async (): Promise<void> => {
    seen.push((await names(staging)).map((n) => (n.endsWith(RECORD_SUFFIX) ? 'record' : 'file')));
  };
  // Parking empties the file after it left staging/ and before its record does; taking moves the record
  // back, writes the new one over it, then moves the file back.
  const { truncate } = Object.getOwnPropertyDescriptors(StagingFile.prototype);
  const { write } = Object.getOwnPropertyDescriptors(RecordFile.prototype);
  let watching = false;
  StagingFile.prototype.truncate = async function (this: StagingFile, size: number) {
    if (watching) await look();
    return (truncate.value as (this: StagingFile, n: number) => Promise<void>).call(this, size);
  };
  RecordFile.prototype.write = async function (this: RecordFile, ...args: Parameters<RecordFile['write']>) {
    if (watching) await look();
    return (write.value as RecordFile['write']).apply(this, args);
  };
  t.teardown(() => {
    Object.defineProperty(StagingFile.prototype, 'truncate', truncate);
    Object.defineProperty(RecordFile.prototype, 'write', write);
  });
  await writeAndClose(h, 'a', 'aaaa');
  watching = true;
  const parked = seen.length;
  await writeAndClose(h, 'b', 'bbbb'); // takes a's slot, parks it again
  watching = false;
  t.deepEqual(seen.slice(parked), [
    ['record'], // b's first record, written over the one moved back (its file still spare)
    ['file', 'record'], // b's `closing` record
    ['record'], // parking: the file has left, the record is still there
  ]);
  t.deepEqual(await names(staging), []);
});

test('a spare taken by a file whose first record is too long to write in place still gets its own record', async (t) => {
  const h = await harness(t);
  const { staging } = dirs(h);
  await writeAndClose(h, 'small', 'x'); // leaves a spare
  // A partial write to an object with a lot of custom metadata: its `open` record is past one page.
  await h.memory.writeObject('bkt', 'big-meta', Buffer.from('old bytes'), {
    metadata: { note: 'm'.repeat(5000) },
  });
  const fd = await h.fs.open('/big-meta', O_WRONLY);
  await h.write(fd, 'NEW', 0);
  const [file, record] = await names(staging);
  t.is(record, `${file}${RECORD_SUFFIX}`);
  t.like(await readJournal(path.join(staging, file!)), { object: 'big-meta', state: 'open' });
  // The "crash": the next start keeps it under its own name, with its bytes.
  const next = await harness(t, { memory: h.memory, cacheDir: h.cacheDir });
  t.deepEqual((await next.fs.recover()).kept, ['gs://bkt/big-meta']);
  const [kept] = await next.kept();
  t.is(await readFile(kept!.file, 'utf8'), 'NEW bytes');
});
