// The write path's promises about failure: a write that failed (a full disk here, for real: a tiny
// tmpfs) poisons the object, so close and fsync fail and nothing incomplete is ever uploaded over a good
// object; the bytes it had are kept with a record saying why.

import test from 'ava';
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { RECORD_SUFFIX } from '../../../daemon/write/journal.js';
import { MAX_SPARES } from '../../../daemon/write/spare-slots.js';
import { StagingFile } from '../../../daemon/write/staging-file.js';
import { codeOf, harness, O_WRONLY } from '../../helpers/fs-harness.js';
import { smallDisk } from '../../helpers/small-disk.js';

test('ENOSPC poisons the file: close and fsync fail, the existing object is not replaced by a prefix', async (t) => {
  const disk = await smallDisk(t);
  if (!disk) {
    t.pass('needs root to mount a small tmpfs');
    return;
  }
  const h = await harness(t, { cacheDir: disk });
  await h.put('big', 'the good object');
  const fd = await h.fs.open('/big', O_WRONLY);
  const chunk = Buffer.alloc(16 << 10, 1);
  let failed: string | undefined;
  for (let at = 0; at < 1 << 20 && failed === undefined; at += chunk.length) {
    failed = await h.fs.write(fd, chunk, chunk.length, at).then(
      () => undefined,
      (e: unknown) => (e as { code?: string }).code,
    );
  }
  t.is(failed, 'no-space');
  t.is(await codeOf(t, h.write(fd, 'more', 0)), 'no-space');
  t.is(await codeOf(t, h.fs.fsync(fd)), 'no-space');
  t.is(await codeOf(t, h.fs.flush(fd)), 'no-space');
  await h.fs.release(fd);
  t.is(await h.object('big'), 'the good object');
  t.is(h.requests.counts().writeObject, undefined);
  // The bytes are kept (a rename needs no space) with a record saying why; when even the record does not
  // fit on the full disk, the log line says it instead.
  const kept = await h.kept();
  t.is(kept.length, 1);
  const logged = h.logs.some((l) => /object="gs:\/\/bkt\/big" reason="write-failed".*record=/.test(l));
  t.true(kept[0]?.reason === 'write-failed' || logged, h.logs.join('\n'));
});

test('ENOSPC on a new file: nothing is uploaded at all', async (t) => {
  const disk = await smallDisk(t);
  if (!disk) {
    t.pass('needs root to mount a small tmpfs');
    return;
  }
  const h = await harness(t, { cacheDir: disk });
  const fd = await h.fs.create('/new', 0o644);
  const chunk = Buffer.alloc(16 << 10, 2);
  let at = 0;
  await t.throwsAsync(async () => {
    for (;;) at += await h.fs.write(fd, chunk, chunk.length, at);
  });
  t.is(await codeOf(t, h.fs.flush(fd)), 'no-space');
  await h.fs.release(fd);
  t.is(await h.object('new'), undefined);
});

test('--staging-max-size: a write past the cap over all staged files fails ENOSPC and poisons only that file', async (t) => {
  const h = await harness(t, { flags: ['--staging-max-size', '64K'] });
  await h.put('good', 'the good object');
  // One file holds 40 KiB, staged and open.
  const a = await h.fs.create('/a', 0o644);
  await h.fs.write(a, Buffer.alloc(40 << 10, 1), 40 << 10, 0);
  // A second one may grow to the 24 KiB left, not past it; rewriting bytes it has already staged is free.
  const b = await h.fs.open('/good', O_WRONLY);
  await h.fs.write(b, Buffer.alloc(20 << 10, 2), 20 << 10, 0);
  await h.fs.write(b, Buffer.alloc(20 << 10, 3), 20 << 10, 0);
  t.is(await codeOf(t, h.fs.write(b, Buffer.alloc(8 << 10, 4), 8 << 10, 20 << 10)), 'no-space');
  t.is(await codeOf(t, h.fs.flush(b)), 'no-space');
  await h.fs.release(b);
  t.is(await h.object('good'), 'the good object', 'nothing incomplete replaced it');
  // The first file is untouched by the other's failure: its close uploads it.
  await h.fs.flush(a);
  await h.fs.release(a);
  t.is((await h.object('a'))?.length, 40 << 10);
  // Once it is uploaded its bytes no longer count: a new file may stage again.
  const c = await h.fs.create('/c', 0o644);
  await h.fs.write(c, Buffer.alloc(60 << 10, 5), 60 << 10, 0);
  await h.fs.flush(c);
  await h.fs.release(c);
  t.is((await h.object('c'))?.length, 60 << 10);
});

test('a conflict (412) is not retried at release (the same precondition would fail): the bytes are kept with a record', async (t) => {
  const h = await harness(t);
  await h.put('f', 'v1');
  const fd = await h.fs.open('/f', O_WRONLY);
  await h.write(fd, 'v2', 0);
  await h.put('f', 'someone else');
  t.is(await codeOf(t, h.fs.flush(fd)), 'stale');
  h.requests.reset();
  await h.fs.release(fd);
  t.is(h.requests.counts().writeObject, undefined);
  const kept = await h.kept();
  t.like(kept[0], { bucket: 'bkt', object: 'f', size: 2, reason: 'conflict' });
  t.is(await h.object('f'), 'someone else');
});

test('a conflict is journaled as one while the file is still open, so a crash then keeps it as a conflict', async (t) => {
  const h = await harness(t);
  await h.put('f', 'v1');
  const fd = await h.fs.open('/f', O_WRONLY);
  await h.write(fd, 'mine', 0);
  await h.put('f', 'theirs');
  t.is(await codeOf(t, h.fs.fsync(fd)), 'stale');
  t.true(h.logs.some((l) => /changed in the bucket since it was opened.*object="gs:\/\/bkt\/f"/.test(l)));
  // The "crash": the descriptor is never released; the next start finds the record.
  const next = await harness(t, { memory: h.memory, cacheDir: h.cacheDir });
  t.deepEqual((await next.fs.recover()).kept, ['gs://bkt/f']);
  t.like((await next.kept())[0], { object: 'f', size: 4, reason: 'conflict' });
  t.is(await next.object('f'), 'theirs');
});

test.serial(
  'an uploaded file is let go bytes first: a crash at any moment leaves no staged file without its record',
  async (t) => {
    // Each moment of the release is a possible kill -9: before the staged file is unlinked, its record must
    // still be there, or replay would find bytes nobody names and keep them as `no-record`.
    const seen: boolean[] = [];
    let dir = '';
    const { discard } = Object.getOwnPropertyDescriptors(StagingFile.prototype);
    StagingFile.prototype.discard = async function (this: StagingFile) {
      dir = path.dirname(this.path);
      seen.push(
        await access(`${this.path}${RECORD_SUFFIX}`).then(
          () => true,
          () => false,
        ),
      );
      return (discard.value as (this: StagingFile) => Promise<void>).call(this);
    };
    t.teardown(() => Object.defineProperty(StagingFile.prototype, 'discard', discard));
    const h = await harness(t);
    // The first MAX_SPARES slots to end are kept as spares (spare-slots.test.ts checks their moves); the
    // one after them is removed.
    const fds: number[] = [];
    for (let i = 0; i <= MAX_SPARES; i++) {
      const fd = await h.fs.create(`/done${i}`, 0o644);
      await h.write(fd, 'bytes', 0);
      await h.fs.flush(fd);
      fds.push(fd);
    }
    for (const fd of fds) await h.fs.release(fd);
    t.is(await h.object(`done${MAX_SPARES}`), 'bytes');
    t.deepEqual(seen, [true]);
    t.deepEqual(await readdir(dir), []); // and both are gone after
  },
);
