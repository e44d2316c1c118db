// The stager over the memory backend and a temp dir: a pending object's staging file is filled from its
// base once however many changes ask at the same time, only as far as the change needs; a base that
// vanished is ESTALE with nothing left behind; --staging-max-size counts every staged file.

import test, { type ExecutionContext } from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EntryJournal } from '../../../daemon/write/entry-journal.js';
import { PendingObject } from '../../../daemon/write/pending-object.js';
import { Stager } from '../../../daemon/write/stager.js';
import { MemoryBackend } from '../../../storage/fake/memory-backend.js';
import { counting } from '../../helpers/counting-backend.js';

async function setup(t: ExecutionContext, maxBytes = 0) {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-stager-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const memory = new MemoryBackend();
  await memory.createBucket('bkt');
  const requests = counting(memory);
  const entries: PendingObject[] = [];
  const stager = new Stager({
    backend: requests.backend,
    stagingDir: dir,
    journal: new EntryJournal(() => new Date(0)),
    entries: () => entries,
    maxBytes,
  });
  return { dir, memory, requests, entries, stager };
}

test('a base is staged once for concurrent changes, and only up to what the change needs', async (t) => {
  const s = await setup(t);
  const meta = await s.memory.writeObject('bkt', 'o', Buffer.from('0123456789'));
  const entry = new PendingObject('bkt', 'o', meta.generation, meta, new Date(0));
  const [a, b] = await Promise.all([s.stager.stage(entry), s.stager.stage(entry)]);
  t.is(a, b);
  t.is(a.size, 10);
  t.is(s.requests.counts().readObject, 1);
  const truncated = new PendingObject('bkt', 'o', meta.generation, meta, new Date(0));
  t.is((await s.stager.stage(truncated, 4)).size, 4);
  const emptied = new PendingObject('bkt', 'o', meta.generation, meta, new Date(0));
  t.is((await s.stager.stage(emptied, 0)).size, 0);
  t.is(s.requests.counts().readObject, 2); // truncate -s 0 downloads nothing
});

test('a base that vanished is ESTALE; its staging file and record are removed', async (t) => {
  const s = await setup(t);
  const meta = await s.memory.writeObject('bkt', 'gone', Buffer.from('x'));
  await s.memory.deleteObject('bkt', 'gone');
  const entry = new PendingObject('bkt', 'gone', meta.generation, meta, new Date(0));
  const err = await t.throwsAsync(s.stager.stage(entry));
  t.is((err as { code?: string }).code, 'stale');
  t.deepEqual(await readdir(s.dir), []);
});

test('--staging-max-size counts every staged file: growth past it is ENOSPC', async (t) => {
  const s = await setup(t, 10);
  const entry = new PendingObject('bkt', 'n', '0', undefined, new Date(0));
  const staging = await s.stager.stage(entry);
  await staging.write(Buffer.from('12345678'), 8, 0);
  s.entries.push(entry);
  t.notThrows(() => s.stager.withinBudget(2));
  t.is((t.throws(() => s.stager.withinBudget(3)) as { code?: string }).code, 'no-space');
  t.notThrows(() => s.stager.withinBudget(0)); // rewriting staged bytes is free
});
