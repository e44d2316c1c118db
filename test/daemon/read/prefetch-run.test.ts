import test from 'ava';
import { PassThrough } from 'node:stream';
import { ByteBudget } from '../../../cache/budget.js';
import { PrefetchRun } from '../../../daemon/read/prefetch-run.js';
import type { ReadTarget } from '../../../daemon/read/read-target.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { isStorageError, StorageError } from '../../../storage/errors.js';
import { setup } from '../../storage/client/helpers/setup.js';

const MiB = 1024 * 1024;
const KiB = 1024;
const limits = { initial: 1 * MiB, max: 4 * MiB };

/** A run over a body the test writes by hand; `signal` is the run's abort signal once the GET is made. */
function handRun(
  size: number,
  budget?: ByteBudget,
): { run: PrefetchRun; body: PassThrough; done: () => boolean } {
  const body = new PassThrough();
  let finished = false;
  const backend = { readObject: () => Promise.resolve({ body, generation: '1', size }) };
  const target: ReadTarget = { bucket: 'bkt', key: 'obj', generation: '1', size };
  const run = new PrefetchRun({
    backend: backend as unknown as StorageBackend,
    target,
    start: 0,
    end: size,
    limits,
    budget,
    onDone: () => {
      finished = true;
    },
  });
  return { run, body, done: () => finished };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a body error mid-run rejects the reads waiting for the missing bytes', async (t) => {
  const { run, body, done } = handRun(1 * MiB);
  t.teardown(() => run.cancel());
  body.write(Buffer.alloc(64 * KiB, 1));
  const out = Buffer.alloc(64 * KiB);
  t.is(await run.read(out, out.length, 0), out.length);
  const waiting = run.read(out, out.length, 64 * KiB);
  body.destroy(new StorageError('network', 'connection reset'));
  t.true(isStorageError(await t.throwsAsync(waiting), 'network'));
  t.false(run.covers(64 * KiB), 'a failed run serves no new reads');
  t.true(done());
});

test('a body that ends early fails the waiting read instead of hanging', async (t) => {
  const { run, body } = handRun(1 * MiB);
  t.teardown(() => run.cancel());
  const out = Buffer.alloc(128 * KiB);
  const waiting = run.read(out, out.length, 0);
  body.end(Buffer.alloc(64 * KiB));
  t.true(isStorageError(await t.throwsAsync(waiting), 'network'));
});

test('cancel destroys the body, rejects waiting reads and gives back every reserved byte', async (t) => {
  const budget = new ByteBudget(16 * MiB);
  const { run, body, done } = handRun(8 * MiB, budget);
  body.write(Buffer.alloc(256 * KiB, 1));
  await turn();
  t.true(budget.used > 0);
  const out = Buffer.alloc(64 * KiB);
  const waiting = run.read(out, out.length, 1 * MiB);
  run.cancel();
  t.true(isStorageError(await t.throwsAsync(waiting), 'aborted'));
  await turn();
  t.true(body.destroyed);
  t.is(budget.used, 0);
  t.true(done());
});

test('a retired run stops only after the reads already waiting on it are served', async (t) => {
  const { run, body } = handRun(1 * MiB);
  const out = Buffer.alloc(64 * KiB);
  const waiting = run.read(out, out.length, 0);
  run.retire();
  t.false(body.destroyed);
  body.write(Buffer.alloc(64 * KiB, 5));
  t.is(await waiting, out.length);
  t.true(out.equals(Buffer.alloc(64 * KiB, 5)));
  await turn();
  t.true(body.destroyed);
});

test('the body is paused while the window ahead of the reader is full, and resumed as it reads', async (t) => {
  const { run, body } = handRun(64 * MiB);
  t.teardown(() => run.cancel());
  await turn();
  t.false(body.isPaused());
  // The first window is 1 MiB: once it is full the run pauses the body.
  for (let i = 0; i < 20; i++) body.write(Buffer.alloc(64 * KiB));
  await turn();
  t.true(body.isPaused());
  const out = Buffer.alloc(512 * KiB);
  await run.read(out, out.length, 0);
  t.false(body.isPaused());
});

test('a run finishes (onDone) once its last byte arrived, with the bytes still readable', async (t) => {
  const { run, body, done } = handRun(128 * KiB);
  body.write(Buffer.alloc(128 * KiB, 3));
  await turn();
  t.true(done());
  const out = Buffer.alloc(128 * KiB);
  t.is(await run.read(out, out.length, 0), out.length);
  t.true(out.equals(Buffer.alloc(128 * KiB, 3)));
  run.cancel();
});

test('a corrupt whole-object download fails its last read; its tail is never served', async (t) => {
  const s = await setup(t);
  const size = 3 * MiB + 123;
  const data = Buffer.alloc(size, 1);
  const meta = await s.backend.writeObject(s.bucket, 'obj', data);
  // Keep the stored hash but swap the bytes: the emulator now serves bytes that do not match it.
  const record = s.emu.store.object(s.bucket, 'obj');
  if (!record) throw new Error('no record');
  const otherMeta = await s.backend.writeObject(s.bucket, 'other', Buffer.alloc(size, 2));
  const other = s.emu.store.object(s.bucket, 'other');
  if (!other) throw new Error('no record');
  await s.emu.store.putObject({ ...record, blob: await s.emu.store.blobs.clone(other.blob) });
  t.not(meta.crc32c, otherMeta.crc32c);
  const run = new PrefetchRun({
    backend: s.backend,
    target: { bucket: s.bucket, key: 'obj', generation: meta.generation, size },
    start: 0,
    end: size,
    limits: { initial: 1 * MiB, max: 64 * MiB },
  });
  t.teardown(() => run.cancel());
  const out = Buffer.alloc(128 * KiB);
  let served = 0;
  const error = await (async () => {
    try {
      for (let off = 0; off < size; off += out.length) served += await run.read(out, out.length, off);
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  t.true(isStorageError(error, 'integrity'), `error: ${String(error)}`);
  t.true(served < size, `${served} of ${size} bytes were served`);
});
