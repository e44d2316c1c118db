import test from 'ava';
import { ManualClock } from '../../common/clock.js';
import { NegativeCache } from '../../cache/negative-cache.js';

const TTL_MS = 5000;

test('absent names are remembered for the TTL only', async (t) => {
  const clock = new ManualClock();
  const neg = new NegativeCache({ ttlMs: TTL_MS, maxEntries: 10, clock });
  t.false(neg.has('b', 'x'));
  neg.add('b', 'x');
  t.true(neg.has('b', 'x'));
  t.false(neg.has('b', 'y'));
  t.false(neg.has('c', 'x'));
  await clock.advance(TTL_MS - 1);
  t.true(neg.has('b', 'x'));
  await clock.advance(1);
  t.false(neg.has('b', 'x'));
});

test('bounded, deletable, per bucket', (t) => {
  const neg = new NegativeCache({ ttlMs: -1, maxEntries: 2, clock: new ManualClock() });
  neg.add('b', '1');
  neg.add('b', '2');
  neg.add('c', '3');
  t.is(neg.size, 2);
  t.false(neg.has('b', '1'));
  neg.delete('b', '2');
  t.false(neg.has('b', '2'));
  neg.add('b', '4');
  neg.deleteBucket('b');
  t.false(neg.has('b', '4'));
  t.true(neg.has('c', '3'));
  neg.clear();
  t.false(neg.has('c', '3'));
});

test('TTL 0 disables negative caching', (t) => {
  const neg = new NegativeCache({ ttlMs: 0, maxEntries: 10, clock: new ManualClock() });
  neg.add('b', 'x');
  t.false(neg.enabled);
  t.false(neg.has('b', 'x'));
});
