import test from 'ava';
import { PendingRegistry } from '../../../daemon/write/pending-registry.js';

const now = new Date(0);

test('one entry per object: a second obtain shares it', (t) => {
  const r = new PendingRegistry();
  const a = r.obtain('b', 'k', '0', undefined, now);
  const b = r.obtain('b', 'k', '5', undefined, now);
  t.true(a.created);
  t.false(b.created);
  t.is(a.entry, b.entry);
  t.is(b.entry.base, '0');
});

test('rekey moves the name; an entry at the new name loses its name', (t) => {
  const r = new PendingRegistry();
  const { entry: moving } = r.obtain('b', 'old', '0', undefined, now);
  const { entry: there } = r.obtain('b', 'new', '0', undefined, now);
  r.rekey(moving, 'b', 'new');
  t.is(r.get('b', 'new'), moving);
  t.is(r.get('b', 'old'), undefined);
  t.true(there.unlinked);
  t.deepEqual(r.all().length, 2);
});

test('unlink drops the name but keeps the entry live until it ends', (t) => {
  const r = new PendingRegistry();
  const { entry } = r.obtain('b', 'k', '0', undefined, now);
  r.unlink(entry);
  t.is(r.get('b', 'k'), undefined);
  t.is(r.all().length, 1);
  const { entry: fresh, created } = r.obtain('b', 'k', '0', undefined, now);
  t.true(created);
  t.not(fresh, entry);
  r.end(entry);
  t.deepEqual(r.all(), [fresh]);
  t.is(r.get('b', 'k'), fresh);
});

test('under lists named entries of a prefix in one bucket', (t) => {
  const r = new PendingRegistry();
  r.obtain('b', 'd/x', '0', undefined, now);
  r.obtain('b', 'd/y/z', '0', undefined, now);
  r.obtain('b', 'e', '0', undefined, now);
  r.obtain('c', 'd/w', '0', undefined, now);
  t.deepEqual(
    r
      .under('b', 'd/')
      .map((e) => e.key)
      .sort(),
    ['d/x', 'd/y/z'],
  );
});
