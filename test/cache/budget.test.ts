import test from 'ava';
import { ByteBudget } from '../../cache/budget.js';

test('tryReserve succeeds while there is room and fails beyond the limit', (t) => {
  const budget = new ByteBudget(100);
  t.true(budget.tryReserve(60));
  t.true(budget.tryReserve(40));
  t.false(budget.tryReserve(1));
  t.is(budget.used, 100);
  t.is(budget.available, 0);
  budget.release(30);
  t.true(budget.tryReserve(30));
  t.false(budget.tryReserve(101));
});

test('release never lets the budget go negative', (t) => {
  const budget = new ByteBudget(100);
  t.true(budget.tryReserve(10));
  t.throws(
    () => {
      budget.release(11);
    },
    { instanceOf: RangeError },
  );
  t.is(budget.used, 10);
  t.throws(
    () => {
      budget.release(-1);
    },
    { instanceOf: RangeError },
  );
  t.throws(() => budget.tryReserve(1.5), { instanceOf: RangeError });
  budget.release(10);
  t.is(budget.used, 0);
});

test('evictors are asked for exactly the missing bytes and may free space', (t) => {
  const budget = new ByteBudget(100);
  let held = 0;
  const asked: number[] = [];
  budget.addEvictor((needed) => {
    asked.push(needed);
    const give = Math.min(held, Math.ceil(needed / 10) * 10);
    held -= give;
    budget.release(give);
  });
  for (let i = 0; i < 10; i++) {
    t.true(budget.tryReserve(10));
    held += 10;
  }
  t.true(budget.tryReserve(25));
  t.deepEqual(asked, [25]);
  t.is(held, 70);
  t.is(budget.used, 95);
});

test('an evictor that cannot help leaves tryReserve failing; later evictors are tried', (t) => {
  const budget = new ByteBudget(50);
  const calls: string[] = [];
  budget.addEvictor(() => calls.push('empty'));
  const remove = budget.addEvictor(() => {
    calls.push('full');
    budget.release(20);
  });
  t.true(budget.tryReserve(50));
  t.true(budget.tryReserve(10));
  t.deepEqual(calls, ['empty', 'full']);
  remove();
  t.false(budget.tryReserve(20));
  t.deepEqual(calls, ['empty', 'full', 'empty']);
});

test('reserve waits for releases in FIFO order', async (t) => {
  const budget = new ByteBudget(100);
  t.true(budget.tryReserve(100));
  const order: string[] = [];
  const a = budget.reserve(60).then(() => order.push('a'));
  const b = budget.reserve(30).then(() => order.push('b'));
  t.is(budget.waiting, 2);
  t.false(budget.tryReserve(1), 'an optional holder may not jump the queue');
  budget.release(50);
  await Promise.resolve();
  t.deepEqual(order, [], 'a needs 60 and only 50 are free: b waits behind it');
  budget.release(50);
  await Promise.all([a, b]);
  t.deepEqual(order, ['a', 'b']);
  t.is(budget.used, 90);
});

test('reserve rejects what can never fit and honours abort', async (t) => {
  const budget = new ByteBudget(10);
  await t.throwsAsync(budget.reserve(11), { instanceOf: RangeError });
  t.true(budget.tryReserve(10));
  const ac = new AbortController();
  const p = budget.reserve(5, ac.signal);
  ac.abort(new Error('gave up'));
  await t.throwsAsync(p, { message: 'gave up' });
  t.is(budget.waiting, 0);
  t.is(budget.used, 10);
});

test('an aborted head waiter lets the next one through', async (t) => {
  const budget = new ByteBudget(10);
  t.true(budget.tryReserve(8));
  const ac = new AbortController();
  const big = budget.reserve(5, ac.signal);
  const small = budget.reserve(2);
  ac.abort(new Error('x'));
  await t.throwsAsync(big);
  await small;
  t.is(budget.used, 10);
});
