import test from 'ava';
import { ManualClock } from '../../common/clock.js';
import { TypeCache } from '../../cache/type-cache.js';

test('a file answer holds for the TTL by the injected clock, then expires', async (t) => {
  const clock = new ManualClock();
  const types = new TypeCache({ ttlMs: 60_000, maxEntries: 10, clock });
  t.false(types.isFile('b', 'f'));
  types.addFile('b', 'f');
  t.true(types.isFile('b', 'f'));
  t.false(types.isFile('other', 'f'));
  await clock.advance(59_999);
  t.true(types.isFile('b', 'f'));
  await clock.advance(1);
  t.false(types.isFile('b', 'f'));
});

test('bounded (least recently used leaves first), deletable, clearable', (t) => {
  const types = new TypeCache({ ttlMs: -1, maxEntries: 2, clock: new ManualClock() });
  types.addFile('b', '1');
  types.addFile('b', '2');
  types.addFile('b', '3');
  t.is(types.size, 2);
  t.false(types.isFile('b', '1'));
  types.delete('b', '2');
  t.false(types.isFile('b', '2'));
  t.true(types.isFile('b', '3'));
  types.clear();
  t.false(types.isFile('b', '3'));
});

test('TTL 0 and the disabled cache remember nothing', (t) => {
  for (const types of [
    new TypeCache({ ttlMs: 0, maxEntries: 10, clock: new ManualClock() }),
    TypeCache.disabled(new ManualClock()),
  ]) {
    types.addFile('b', 'f');
    t.false(types.enabled);
    t.false(types.isFile('b', 'f'));
  }
});

test('a directory answer is not a file answer; the later answer wins; deleteUnder forgets a subtree', async (t) => {
  const clock = new ManualClock();
  const types = new TypeCache({ ttlMs: 60_000, maxEntries: 10, clock });
  types.addDir('b', 'd');
  t.true(types.isDir('b', 'd'));
  t.false(types.isFile('b', 'd'));
  types.addFile('b', 'd');
  t.false(types.isDir('b', 'd'));
  types.addDir('b', 'd');
  types.addDir('b', 'd/e');
  types.addFile('b', 'd/e/f');
  types.addDir('b', 'dz');
  types.deleteUnder('b', 'd/');
  t.false(types.isDir('b', 'd/e'));
  t.false(types.isFile('b', 'd/e/f'));
  t.true(types.isDir('b', 'd'), 'the directory itself is not under its prefix');
  t.true(types.isDir('b', 'dz'));
  await clock.advance(60_000);
  t.false(types.isDir('b', 'd'));
});
