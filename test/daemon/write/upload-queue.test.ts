// The upload queue's promises, with a manual clock and jobs the test finishes by hand: the concurrency
// bound, one job per key at a time in request order, coalescing of requests that wait, the delay (and a
// more urgent request bringing it forward), retries with backoff, the give-up, and the drain.

import test from 'ava';
import { ManualClock } from '../../../common/clock.js';
import { UploadQueue } from '../../../daemon/write/upload-queue.js';

class Transient extends Error {}

interface Run {
  key: string;
  attempt: number;
  finish(): void;
  fail(err: Error): void;
}

function setup(concurrency = 2) {
  const clock = new ManualClock();
  const runs: Run[] = [];
  const queue = new UploadQueue<string>({
    concurrency,
    clock,
    retryable: (e) => e instanceof Transient,
    backoffMs: 1000,
    random: () => 0.5,
  });
  const job = (key: string, bytes = 10) => ({
    run: (attempt: number) =>
      new Promise<string>((resolve, reject) => {
        runs.push({ key, attempt, finish: () => resolve(`${key}#${attempt}`), fail: reject });
      }),
    bytes: () => bytes,
  });
  const tick = () => new Promise((r) => setImmediate(r));
  return { clock, runs, queue, job, tick };
}

test('at most `concurrency` jobs run; the next starts when one ends', async (t) => {
  const { queue, job, runs, tick } = setup(3);
  const done = ['a', 'b', 'c', 'd', 'e'].map((k) => queue.enqueue(k, job(k)));
  await tick();
  t.deepEqual(
    runs.map((r) => r.key),
    ['a', 'b', 'c'],
  );
  t.like(queue.stats(), { uploading: 3, queued: 2, bytesPending: 50 });
  runs[1]?.finish();
  await tick();
  t.deepEqual(
    runs.map((r) => r.key),
    ['a', 'b', 'c', 'd'],
  );
  for (let i = 0; i < 5; i++) {
    runs[i]?.finish();
    await tick();
  }
  t.deepEqual(await Promise.all(done), ['a#1', 'b#1', 'c#1', 'd#1', 'e#1']);
  t.like(queue.stats(), { uploading: 0, queued: 0, bytesPending: 0, completed: 5 });
});

test('one job per key at a time: a request while its key runs waits behind it, even with free slots', async (t) => {
  const { queue, job, runs, tick } = setup(4);
  const first = queue.enqueue('k', job('k'));
  await tick();
  const second = queue.enqueue('k', job('k'));
  const other = queue.enqueue('x', job('x'));
  await tick();
  t.deepEqual(
    runs.map((r) => r.key),
    ['k', 'x'],
  );
  t.true(queue.has('k'));
  runs[0]?.finish();
  t.is(await first, 'k#1');
  await tick();
  t.deepEqual(
    runs.map((r) => r.key),
    ['k', 'x', 'k'],
  );
  runs[2]?.finish();
  runs[1]?.finish();
  t.is(await second, 'k#1');
  t.is(await other, 'x#1');
  t.false(queue.has('k'));
});

test('requests that wait coalesce: one run after the last delay, every caller gets its result', async (t) => {
  const { queue, job, runs, clock, tick } = setup();
  const a = queue.enqueue('f', job('f'), { delayMs: 2000 });
  await clock.advance(1000);
  const b = queue.enqueue('f', job('f'), { delayMs: 2000 });
  await clock.advance(1500);
  t.is(runs.length, 0, 'the second request pushed the start back to t=3000');
  await clock.advance(500);
  t.is(runs.length, 1);
  runs[0]?.finish();
  t.deepEqual(await Promise.all([a, b]), ['f#1', 'f#1']);
  await tick();
  t.is(runs.length, 1);
  t.is(queue.stats().completed, 1);
});

test('a request with no delay (fsync) brings a delayed job forward', async (t) => {
  const { queue, job, runs, tick } = setup();
  const later = queue.enqueue('f', job('f'), { delayMs: 60_000 });
  await tick();
  t.is(runs.length, 0);
  const now = queue.enqueue('f', job('f'));
  await tick();
  t.is(runs.length, 1);
  runs[0]?.finish();
  t.deepEqual(await Promise.all([later, now]), ['f#1', 'f#1']);
});

test('a transient failure runs the job again after a growing backoff, then gives up', async (t) => {
  const { queue, job, runs, clock, tick } = setup();
  const p = queue.enqueue('f', job('f'), { attempts: 3 });
  await tick();
  runs[0]?.fail(new Transient('503'));
  await tick();
  t.like(queue.stats(), { queued: 1, uploading: 0, retries: 1 });
  await clock.advance(749); // 1000 ms * (0.5 + 0.5/2)
  t.is(runs.length, 1);
  await clock.advance(1);
  t.is(runs.length, 2);
  t.is(runs[1]?.attempt, 2);
  runs[1]?.fail(new Transient('503'));
  await tick();
  await clock.advance(1499); // doubled
  t.is(runs.length, 2);
  await clock.advance(1);
  runs[2]?.fail(new Transient('still 503'));
  const err = await t.throwsAsync(p);
  t.is(err.message, 'still 503');
  t.like(queue.stats(), { failed: 1, retries: 2, queued: 0 });
});

test('a failure that is not transient (a 412) gives up at once', async (t) => {
  const { queue, job, runs, tick } = setup();
  const p = queue.enqueue('f', job('f'), { attempts: 5 });
  await tick();
  runs[0]?.fail(new Error('precondition failed'));
  await t.throwsAsync(p, { message: 'precondition failed' });
  t.is(runs.length, 1);
  t.like(queue.stats(), { failed: 1, retries: 0 });
});

test('a job that fails while a newer request waits hands its callers to that one', async (t) => {
  const { queue, job, runs, tick } = setup();
  const old = queue.enqueue('f', job('f'), { attempts: 1 });
  await tick();
  const newer = queue.enqueue('f', job('f'));
  runs[0]?.fail(new Error('boom'));
  await tick();
  t.is(runs.length, 2);
  runs[1]?.finish();
  t.deepEqual(await Promise.all([old, newer]), ['f#1', 'f#1']);
});

test('hurry starts delayed jobs now, and idle resolves once the queue is empty', async (t) => {
  const { queue, job, runs, tick } = setup(1);
  const all = ['a', 'b'].map((k) => queue.enqueue(k, job(k), { delayMs: 10_000 }));
  let idle = false;
  void queue.idle().then(() => (idle = true));
  queue.hurry();
  await tick();
  t.is(runs.length, 1, 'still bounded by the concurrency');
  runs[0]?.finish();
  await tick();
  t.false(idle);
  runs[1]?.finish();
  await Promise.all(all);
  await tick();
  t.true(idle);
});

test('concurrency below 1 is refused', (t) => {
  t.throws(() => new UploadQueue({ concurrency: 0, clock: new ManualClock(), retryable: () => false }), {
    instanceOf: RangeError,
  });
});
