// A stop with files open for writing (gcsmount unmount --force, SIGTERM): what they hold is kept for
// recovery with reason open-at-unmount and never uploaded; their descriptors fail from then on; a close
// already uploading when the stop begins is waited for and uploaded, not kept.

import test from 'ava';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { silentLogger } from '../../../common/logger.js';
import { drainStaged } from '../../../daemon/lifecycle/drain.js';
import { codeOf, harness, O_WRONLY } from '../../helpers/fs-harness.js';
import { HeldAnswers } from '../../helpers/held-answers.js';

test('open writers are kept, not uploaded; a clean open writer and a closed file are not kept', async (t) => {
  const h = await harness(t);
  await h.put('notes', 'the old notes');
  const half = await h.fs.open('/notes', O_WRONLY);
  await h.write(half, 'half-written', 0);
  const clean = await h.fs.create('/clean', 0o644);
  await h.fs.flush(clean); // uploaded empty; still open, nothing changed since
  const done = await h.fs.create('/done', 0o644);
  await h.write(done, 'complete', 0);
  await h.fs.flush(done);
  await h.fs.release(done);
  t.deepEqual(
    h.fs.openWriters().map((w) => w.object),
    ['gs://bkt/notes'],
  );

  const r = await drainStaged(h.fs, silentLogger);
  t.deepEqual(r, { uploaded: 0, failed: [], kept: ['gs://bkt/notes'] });
  t.is(await h.object('notes'), 'the old notes');
  t.is(await h.object('done'), 'complete');
  const kept = await h.kept();
  t.is(kept.length, 1);
  t.like(kept[0], { bucket: 'bkt', object: 'notes', reason: 'open-at-unmount', size: 13 });
  t.is(await readFile(kept[0]?.file ?? '', 'utf8'), 'half-writtens'); // over the old notes' 13 bytes
  // The writer learns: later writes and closes fail, and nothing more is uploaded or kept.
  t.is(await codeOf(t, h.write(half, 'more', 12)), 'io');
  t.is(await codeOf(t, h.fs.flush(half)), 'io');
  t.is(await codeOf(t, h.write(clean, 'late', 0)), 'io');
  await h.fs.release(half);
  await h.fs.release(clean);
  t.is(await h.object('notes'), 'the old notes');
  t.is((await h.kept()).length, 1);
  t.deepEqual(await readdir(path.join(h.cacheDir, 'staging')), []);
  t.is(h.requests.counts().writeObject, 2); // clean (empty) and done, nothing else
});

test('a close uploading when the stop begins is waited for and uploaded', async (t) => {
  let held: HeldAnswers | undefined;
  const h = await harness(t, { wrap: (b) => (held = new HeldAnswers(b)) });
  const fd = await h.fs.create('/closing', 0o644);
  await h.write(fd, 'all of it', 0);
  const hold = held?.holdNext('writeObject');
  const closing = h.fs.flush(fd);
  await hold?.reached;
  t.deepEqual(h.fs.openWriters(), []); // closing, not open
  const drained = drainStaged(h.fs, silentLogger);
  hold?.release();
  await closing;
  await h.fs.release(fd);
  t.deepEqual(await drained, { uploaded: 1, failed: [], kept: [] });
  t.is(await h.object('closing'), 'all of it');
  t.deepEqual(await h.kept(), []);
});
