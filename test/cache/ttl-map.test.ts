import test from 'ava';
import { ManualClock } from '../../common/clock.js';
import { TtlMap, bucketKeyPrefix, checkTtl, entryKey } from '../../cache/ttl-map.js';

const v = (n: number) => ({ n });

test('entries expire exactly at the TTL by the injected clock', async (t) => {
  const clock = new ManualClock();
  const map = new TtlMap<{ n: number }>({ ttlMs: 1000, maxEntries: 10, clock });
  map.set('k', v(1));
  await clock.advance(999);
  t.deepEqual(map.get('k'), v(1));
  t.deepEqual(map.peek('k'), v(1));
  await clock.advance(1);
  t.is(map.peek('k'), undefined);
  t.is(map.get('k'), undefined);
  t.is(map.size, 0, 'an expired entry is dropped when read');
});

test('TTL 0 disables the map', (t) => {
  const map = new TtlMap<{ n: number }>({ ttlMs: 0, maxEntries: 10, clock: new ManualClock() });
  map.set('k', v(1));
  t.false(map.enabled);
  t.is(map.get('k'), undefined);
});

for (const ttlMs of [-1, Infinity]) {
  test(`TTL ${ttlMs} never expires`, async (t) => {
    const clock = new ManualClock();
    const map = new TtlMap<{ n: number }>({ ttlMs, maxEntries: 10, clock });
    map.set('k', v(1));
    await clock.advance(10 * 365 * 86_400_000);
    t.deepEqual(map.get('k'), v(1));
  });
}

test('invalid TTLs are rejected', (t) => {
  t.throws(() => {
    checkTtl('ttl', -2);
  });
  t.throws(() => new TtlMap({ ttlMs: Number.NaN, maxEntries: 1, clock: new ManualClock() }));
  t.notThrows(() => {
    checkTtl('ttl', 0);
  });
});

test('the entry bound evicts the least recently used', (t) => {
  const map = new TtlMap<{ n: number }>({ ttlMs: -1, maxEntries: 2, clock: new ManualClock() });
  map.set('a', v(1));
  map.set('b', v(2));
  map.get('a');
  map.set('c', v(3));
  t.truthy(map.get('a'));
  t.is(map.get('b'), undefined);
  t.is(map.size, 2);
});

test('a size function bounds the summed weight', (t) => {
  const map = new TtlMap<{ n: number }>({
    ttlMs: -1,
    maxEntries: 10,
    clock: new ManualClock(),
    sizeOf: (x) => x.n,
  });
  map.set('a', v(6));
  map.set('b', v(3));
  map.set('c', v(4));
  t.is(map.get('a'), undefined);
  t.truthy(map.get('b'));
  t.truthy(map.get('c'));
  map.set('huge', v(11));
  t.is(map.get('huge'), undefined, 'heavier than the whole bound: not kept');
});

test('deleted, replaced and expired entries give their weight back to the bound', async (t) => {
  const clock = new ManualClock();
  const map = new TtlMap<{ n: number }>({ ttlMs: 1000, maxEntries: 10, clock, sizeOf: (x) => x.n });
  map.set('a', v(6));
  map.delete('a');
  map.set('b', v(6));
  map.set('b', v(9)); // replaces b's 6
  t.is(map.get('b')?.n, 9);
  await clock.advance(1000);
  t.is(map.get('b'), undefined);
  map.set('c', v(10));
  t.is(map.get('c')?.n, 10, 'the expired 9 no longer counts');
  t.is(map.size, 1);
});

test('deletePrefix removes one bucket only, whatever the names', (t) => {
  const map = new TtlMap<{ n: number }>({ ttlMs: -1, maxEntries: 10, clock: new ManualClock() });
  map.set(entryKey('b', 'x'), v(1));
  map.set(entryKey('b', '\n"'), v(2));
  map.set(entryKey('bb', 'x'), v(3));
  map.set(entryKey('b"\n', 'x'), v(4));
  map.deletePrefix(bucketKeyPrefix('b'));
  t.is(map.size, 2);
  t.truthy(map.get(entryKey('bb', 'x')));
  t.truthy(map.get(entryKey('b"\n', 'x')));
});
