import test from 'ava';
import { FetchGuard } from '../../cache/fetch-guard.js';

test('a fetch untouched by mutations may cache its result', (t) => {
  const guard = new FetchGuard();
  const ticket = guard.begin('k');
  guard.invalidate('other');
  t.true(guard.valid(ticket));
  t.true(guard.end(ticket));
  t.is(guard.size, 0);
});

test('a mutation of the same key spoils fetches in flight, not later ones', (t) => {
  const guard = new FetchGuard();
  const a = guard.begin('k');
  const b = guard.begin('k');
  guard.invalidate('k');
  t.false(guard.valid(a));
  t.false(guard.end(a));
  t.false(guard.end(b));
  const c = guard.begin('k');
  t.true(guard.end(c));
});

test('prefix and global invalidation', (t) => {
  const guard = new FetchGuard();
  const a = guard.begin('b1/x');
  const b = guard.begin('b2/x');
  guard.invalidatePrefix('b1/');
  t.false(guard.end(a));
  t.true(guard.valid(b));
  guard.invalidateAll();
  t.false(guard.end(b));
  t.is(guard.size, 0);
});
