// The journal records of pending objects, counted: each state is written once per close, a repeat that
// says the same is skipped, a change made while a close waits (a chmod) is still written, and a closed
// file's `uploaded` record waits a moment for the release that removes the record anyway.

import test from 'ava';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EntryJournal } from '../../../daemon/write/entry-journal.js';
import type { JournalRecord } from '../../../daemon/write/journal.js';
import { PendingObject } from '../../../daemon/write/pending-object.js';
import { StagingFile } from '../../../daemon/write/staging-file.js';
import { MODE_KEY } from '../../../daemon/posix/attrs.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { harness } from '../../helpers/fs-harness.js';

test('a close journals each state once: open, closing (a repeat that says the same is skipped; the release removes the record before an uploaded one)', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/once', 0o644);
  await h.write(fd, 'one', 0);
  await h.write(fd, 'two', 3);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.is(await h.object('once'), 'onetwo');
  t.is(h.fs.uploadStats().journalWrites, 2);
});

test('a default close rewrites the record in place (one record file for the life of a small file)', async (t) => {
  const h = await harness(t);
  const staging = path.join(h.cacheDir, 'staging');
  const record = async (): Promise<{ ino: number; state: string }> => {
    const [name] = (await readdir(staging)).filter((n) => n.endsWith('.json'));
    const file = path.join(staging, name ?? 'missing');
    return {
      ino: (await stat(file)).ino,
      state: (JSON.parse(await readFile(file, 'utf8')) as JournalRecord).state,
    };
  };
  const fd = await h.fs.create('/in-place', 0o644);
  const opened = await record();
  t.is(opened.state, 'open');
  await h.write(fd, 'x', 0);
  await h.fs.flush(fd);
  t.deepEqual(await record(), { ino: opened.ino, state: 'closing' });
  t.deepEqual(
    (await readdir(staging)).filter((n) => n.endsWith('.tmp')),
    [],
  );
  await h.fs.release(fd);
  t.deepEqual(await readdir(staging), []);
});

test('a chmod while a close waits for its upload is journaled with it (the record then differs)', async (t) => {
  let release: (() => void) | undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const h = await harness(t, {
    flags: ['--upload-concurrency', '1'],
    wrap: (b) =>
      new Proxy(b, {
        get(target, prop, receiver) {
          if (prop !== 'writeObject') return Reflect.get(target, prop, receiver) as unknown;
          return async (...args: Parameters<StorageBackend['writeObject']>) => {
            if (args[1] === 'first') await held;
            return target.writeObject(...args);
          };
        },
      }),
  });
  const first = await h.fs.create('/first', 0o644);
  await h.write(first, 'a', 0);
  const firstClosed = h.fs.flush(first);
  const fd = await h.fs.create('/second', 0o644);
  await h.write(fd, 'b', 0);
  const closed = h.fs.flush(fd); // waits for the queue's one slot
  await new Promise((r) => setTimeout(r, 20));
  await h.fs.chmod('/second', 0o600);
  release?.();
  await Promise.all([firstClosed, closed]);
  await h.fs.release(first);
  await h.fs.release(fd);
  t.is((await h.memory.statObject('bkt', 'second')).metadata[MODE_KEY], '600');
  // first: open, closing; second: open, closing, closing again (the chmod).
  t.is(h.fs.uploadStats().journalWrites, 5);
});

test('a file closed and still open elsewhere gets its uploaded record a moment after the upload; fsync at once', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/kept-open', 0o644);
  await h.write(fd, 'x', 0);
  await h.fs.flush(fd); // close(2) of a dup: the descriptor stays
  const staging = path.join(h.cacheDir, 'staging');
  const state = async (): Promise<string | undefined> => {
    const [name] = (await readdir(staging)).filter((n) => n.endsWith('.json'));
    return name === undefined
      ? undefined
      : (JSON.parse(await readFile(path.join(staging, name), 'utf8')) as JournalRecord).state;
  };
  t.is(await state(), 'closing');
  for (let i = 0; i < 100 && (await state()) !== 'uploaded'; i++) await new Promise((r) => setTimeout(r, 50));
  t.is(await state(), 'uploaded');
  await h.write(fd, 'y', 1);
  await h.fs.fsync(fd);
  t.is(await state(), 'uploaded');
  await h.fs.release(fd);
  t.deepEqual(await readdir(staging), []);
});

test('a recycled record belongs to its next entry: a late write of the entry that ended never lands in it', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'entry-journal-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const journal = new EntryJournal(() => new Date(0));
  const staging = await StagingFile.create(dir);
  const a = new PendingObject('b', 'first', '0', undefined, new Date(0));
  const b = new PendingObject('b', 'second', '0', undefined, new Date(0));
  const said = async (): Promise<Partial<JournalRecord>> =>
    JSON.parse(await readFile(`${staging.path}.json`, 'utf8')) as JournalRecord;
  await journal.write(a, 'closing', staging);
  a.ended = true;
  t.true(await journal.recycle(staging));
  await journal.write(a, 'uploaded', staging); // e.g. an upload callback after the end: dropped
  t.like(await said(), { object: 'first', state: 'closing' });
  await journal.write(b, 'open', staging);
  const late = journal.write(a, 'uploaded', staging);
  await journal.rewrite(b);
  await late;
  t.like(await said(), { object: 'second', state: 'open' });
  await journal.forget(staging);
  await staging.discard();
});
