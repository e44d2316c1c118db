import test from 'ava';
import { ManualClock, systemClock } from '../../common/clock.js';

test('manual clock wakes sleepers in deadline order as time advances', async (t) => {
  const clock = new ManualClock(1000);
  const woke: string[] = [];
  const a = clock.sleep(50).then(() => woke.push(`a@${clock.now()}`));
  const b = clock.sleep(10).then(() => woke.push(`b@${clock.now()}`));
  await clock.advance(20);
  t.deepEqual(woke, ['b@1010']);
  t.is(clock.pendingSleeps, 1);
  await clock.advance(40);
  await Promise.all([a, b]);
  t.deepEqual(woke, ['b@1010', 'a@1050']);
  t.is(clock.now(), 1060);
});

test('manual clock sleep rejects when aborted', async (t) => {
  const clock = new ManualClock();
  const ac = new AbortController();
  const p = clock.sleep(100, ac.signal);
  ac.abort(new Error('stop'));
  await t.throwsAsync(p, { message: 'stop' });
  t.is(clock.pendingSleeps, 0);
});

test('system clock sleep can be aborted', async (t) => {
  const ac = new AbortController();
  const p = systemClock.sleep(60_000, ac.signal);
  ac.abort(new Error('cancelled'));
  await t.throwsAsync(p, { message: 'cancelled' });
});
