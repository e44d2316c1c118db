import test from 'ava';
import { ManualClock } from '../../common/clock.js';
import { NameSet } from '../../cache/name-set.js';

const TTL_MS = 5000;

test('a member holds for the TTL by the injected clock, then expires', async (t) => {
  const clock = new ManualClock();
  const names = new NameSet({ ttlMs: TTL_MS, maxEntries: 10, clock });
  t.false(names.has('b', 'x'));
  names.add('b', 'x');
  t.true(names.has('b', 'x'));
  t.false(names.has('b', 'y'));
  t.false(names.has('c', 'x'));
  await clock.advance(TTL_MS - 1);
  t.true(names.has('b', 'x'));
  await clock.advance(1);
  t.false(names.has('b', 'x'));
});

test('adding again starts the TTL again', async (t) => {
  const clock = new ManualClock();
  const names = new NameSet({ ttlMs: TTL_MS, maxEntries: 10, clock });
  names.add('b', 'x');
  await clock.advance(TTL_MS - 1);
  names.add('b', 'x');
  await clock.advance(TTL_MS - 1);
  t.true(names.has('b', 'x'));
});

test('bounded (least recently used leaves first), deletable by name, by bucket and all at once', (t) => {
  const names = new NameSet({ ttlMs: -1, maxEntries: 2, clock: new ManualClock() });
  names.add('b', '1');
  names.add('b', '2');
  names.add('c', '3');
  t.is(names.size, 2);
  t.false(names.has('b', '1'));
  names.delete('b', '2');
  t.false(names.has('b', '2'));
  names.add('b', '4');
  names.deleteBucket('b');
  t.false(names.has('b', '4'));
  t.true(names.has('c', '3'));
  names.clear();
  t.false(names.has('c', '3'));
});

test('TTL 0 and the disabled set remember nothing', (t) => {
  for (const names of [
    new NameSet({ ttlMs: 0, maxEntries: 10, clock: new ManualClock() }),
    NameSet.disabled(new ManualClock()),
  ]) {
    names.add('b', 'f');
    t.false(names.enabled);
    t.false(names.has('b', 'f'));
  }
});

test('deleteUnder forgets the names under a prefix of one bucket only', (t) => {
  const names = new NameSet({ ttlMs: -1, maxEntries: 10, clock: new ManualClock() });
  for (const n of ['d', 'd/e', 'd/e/f', 'dz']) names.add('b', n);
  names.add('other', 'd/e');
  names.deleteUnder('b', 'd/');
  t.deepEqual(
    ['d', 'd/e', 'd/e/f', 'dz'].map((n) => names.has('b', n)),
    [true, false, false, true],
  );
  t.true(names.has('other', 'd/e'));
});
