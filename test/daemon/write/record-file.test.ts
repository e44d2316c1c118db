// A staging file's record: rewritten in place (same inode, padded to the length on disk) while only a
// daemon crash must find it, replaced by a renamed temp file where a power cut must (durable: renamed
// only after the data's fsync), over a durable record, past one page, and over a record a previous run
// wrote.

import test from 'ava';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IN_PLACE_MAX, RecordFile } from '../../../daemon/write/record-file.js';
import { readJournal, recordPath, type JournalRecord } from '../../../daemon/write/journal.js';

async function dir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'record-file-'));
}

const record = (state: JournalRecord['state'], object = 'o'): string =>
  JSON.stringify({
    v: 1,
    bucket: 'b',
    object,
    baseGeneration: '0',
    writable: { metadata: {} },
    state,
    size: 1,
    updatedAt: '2026-12-03T00:00:00Z',
  } satisfies JournalRecord);

const ino = async (file: string): Promise<number> => (await stat(file)).ino;

test('a fresh record is made by its first write, then rewritten in place, a shorter one padded so it parses', async (t) => {
  const staging = path.join(await dir(), 'id');
  const f = new RecordFile(recordPath(staging), true);
  await f.write(record('open', 'a-long-object-name'), false);
  const first = await ino(recordPath(staging));
  const long = (await stat(recordPath(staging))).size;
  await f.write(record('closing'), false);
  t.is(await ino(recordPath(staging)), first);
  t.is((await stat(recordPath(staging))).size, long);
  t.is((await readJournal(staging))?.state, 'closing');
  t.is((await readJournal(staging))?.object, 'o');
  await f.close();
  t.is((await readJournal(staging))?.state, 'closing', 'close keeps the record');
});

test('a durable record replaces the file (a renamed temp), and so does the next write over it; then in place again', async (t) => {
  const d = await dir();
  const staging = path.join(d, 'id');
  const f = new RecordFile(recordPath(staging), true);
  t.false(f.inPlace, 'nothing on disk yet');
  await f.write(record('open'), false);
  t.true(f.inPlace);
  const a = await ino(recordPath(staging));
  await f.write(record('queued'), true);
  t.false(f.inPlace, 'what spare-slots.ts asks before keeping a slot');
  const b = await ino(recordPath(staging));
  t.not(b, a);
  t.is((await readJournal(staging))?.state, 'queued');
  await f.write(record('uploaded'), false);
  const c = await ino(recordPath(staging));
  t.not(c, b, 'a record a power cut must find is never rewritten in place');
  t.true(f.inPlace);
  await f.write(record('open'), false);
  t.is(await ino(recordPath(staging)), c);
  t.is((await readJournal(staging))?.state, 'open');
  t.deepEqual((await readdir(d)).sort(), ['id.json']);
  await f.close();
});

test('a durable record is renamed into place only once `after` (the data fsync) is done; a failed one leaves the old record', async (t) => {
  const staging = path.join(await dir(), 'id');
  const f = new RecordFile(recordPath(staging), true);
  await f.write(record('open'), false);
  let done: (() => void) | undefined;
  const synced = new Promise<void>((resolve) => (done = resolve));
  const written = f.write(record('queued'), true, synced);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  t.is((await readJournal(staging))?.state, 'open', 'not before the data is down');
  done?.();
  await written;
  t.is((await readJournal(staging))?.state, 'queued');
  await t.throwsAsync(f.write(record('failed'), true, Promise.reject(new Error('EIO'))), { message: 'EIO' });
  t.is((await readJournal(staging))?.state, 'queued');
  await f.close();
});

test('a record past one page is replaced, not rewritten in place', async (t) => {
  const staging = path.join(await dir(), 'id');
  const f = new RecordFile(recordPath(staging), true);
  await f.write(record('open'), false);
  const a = await ino(recordPath(staging));
  const big = record('closing', 'x'.repeat(IN_PLACE_MAX));
  await f.write(big, false);
  t.not(await ino(recordPath(staging)), a);
  t.is((await readFile(recordPath(staging), 'utf8')).trim(), big);
  await f.close();
});

test('the first write over a record a previous run left replaces it whole', async (t) => {
  const d = await dir();
  const staging = path.join(d, 'id');
  await writeFile(recordPath(staging), `${record('queued', 'a-much-longer-object-name-than-the-next')}\n`);
  const a = await ino(recordPath(staging));
  const f = new RecordFile(recordPath(staging), false);
  await f.write(record('open'), false);
  t.not(await ino(recordPath(staging)), a);
  t.is((await readFile(recordPath(staging), 'utf8')).trim(), record('open'));
  t.deepEqual(await readdir(d), ['id.json']);
  await f.close();
});

test('a fresh record never overwrites a file that is there (the name is the staging file own)', async (t) => {
  const staging = path.join(await dir(), 'id');
  await writeFile(recordPath(staging), 'someone else');
  const f = new RecordFile(recordPath(staging), true);
  await t.throwsAsync(f.write(record('open'), false), { code: 'EEXIST' });
  t.is(await readFile(recordPath(staging), 'utf8'), 'someone else');
});
