// A queue retry after a lost answer: the earlier attempt had stored the object, so the retry's 412 is
// ours and the upload succeeds; a 412 from someone else's object stays a conflict, kept for recovery.

import test from 'ava';
import { ManualClock } from '../../../common/clock.js';
import { FaultyBackend } from '../../../storage/fake/faulty-backend.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { harness } from '../../helpers/fs-harness.js';

async function setup(t: Parameters<typeof harness>[0]) {
  const clock = new ManualClock();
  let faulty: FaultyBackend | undefined;
  const wrap = (b: StorageBackend): StorageBackend => (faulty = new FaultyBackend(b));
  const h = await harness(t, { flags: ['--async-uploads', '--upload-delay', '1s'], clock, wrap });
  const until = async (cond: () => boolean | Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 400 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 5));
  };
  const close = async (name: string, data: string): Promise<void> => {
    const fd = await h.fs.create(`/${name}`, 0o644);
    await h.write(fd, data, 0);
    await h.fs.flush(fd);
    await h.fs.release(fd);
  };
  if (!faulty) throw new Error('no backend');
  return { h, clock, faulty, until, close };
}

test('a 412 on the queue retry after a lost answer is our own upload: a success', async (t) => {
  const { h, clock, faulty, until, close } = await setup(t);
  // The store takes the upload, the answer is lost: the client sees a 503 (its retries exhausted).
  faulty.addRule({ method: 'writeObject', error: 'unavailable', when: 'after', times: 1 });
  await close('lost', 'stored once');
  await clock.advance(1000);
  await until(() => h.fs.uploadStats().retries === 1);
  await clock.advance(60_000);
  await until(() => h.fs.uploadStats().uploadedFiles === 1 || h.fs.uploadStats().failures === 1);
  t.like(h.fs.uploadStats(), { uploadedFiles: 1, failures: 0 });
  t.is(await h.object('lost'), 'stored once');
  t.deepEqual(await h.kept(), []);
});

test('a 412 on the queue retry from another writer stays a conflict, kept', async (t) => {
  const { h, clock, faulty, until, close } = await setup(t);
  faulty.addRule({ method: 'writeObject', error: 'unavailable', times: 1 });
  await close('raced', 'mine');
  await clock.advance(1000);
  await until(() => h.fs.uploadStats().retries === 1);
  await h.put('raced', 'theirs');
  await clock.advance(60_000);
  await until(async () => (await h.kept())[0]?.bucket === 'bkt'); // the bytes move, then their record
  t.like((await h.kept())[0], { object: 'raced', reason: 'conflict' });
  t.is(await h.object('raced'), 'theirs');
  t.like(h.fs.uploadStats(), { uploadedFiles: 0, failures: 1 });
});
