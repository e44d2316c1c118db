// Spare staging slots: the slot of a file uploaded (or unlinked) and let go is emptied and kept for the
// next new file, out of staging/; the next start deletes the spares and settles staging/ as before.

import test from 'ava';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readJournal, RECORD_SUFFIX } from '../../../daemon/write/journal.js';
import { MAX_SPARES } from '../../../daemon/write/spare-slots.js';
import { harness, type Harness } from '../../helpers/fs-harness.js';

const names = (dir: string): Promise<string[]> => readdir(dir).then((n) => n.sort(), () => []);

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
