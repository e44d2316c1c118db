import test from 'ava';
import { ManualClock } from '../../common/clock.js';
import { ListingCache, ancestorPrefixes, listingsShowing } from '../../cache/listing-cache.js';
import type { ListedObject } from '../../storage/types.js';
import { listedObject } from '../helpers/object-meta.js';

const obj = (name: string): ListedObject => listedObject(name, { size: 1 });

const make = (ttlMs = 1000, maxEntries = 100) => {
  const clock = new ManualClock();
  return { clock, cache: new ListingCache({ ttlMs, maxEntries, clock }) };
};

test('ancestors of a name are every directory prefix above it', (t) => {
  t.deepEqual(ancestorPrefixes('x'), ['']);
  t.deepEqual(ancestorPrefixes('a/b/c'), ['', 'a/', 'a/b/']);
  t.deepEqual(ancestorPrefixes('a/b/'), ['', 'a/']);
  t.deepEqual(listingsShowing('a/b/'), ['', 'a/', 'a/b/']);
  t.deepEqual(listingsShowing('a/b'), ['', 'a/']);
});

test('a listing is served until its TTL passes', async (t) => {
  const { clock, cache } = make(500);
  cache.set('b', 'a/', { objects: [obj('a/x')], prefixes: ['a/d/'] });
  t.deepEqual(cache.get('b', 'a/'), { objects: [obj('a/x')], prefixes: ['a/d/'] });
  t.is(cache.get('b', ''), undefined);
  await clock.advance(500);
  t.is(cache.get('b', 'a/'), undefined);
});

test('only directory prefixes are accepted as keys', (t) => {
  const { cache } = make();
  t.throws(() => {
    cache.set('b', 'a', { objects: [], prefixes: [] });
  });
  t.notThrows(() => cache.get('b', ''));
});

test('dirKind tells explicit, implicit and absent directories apart', (t) => {
  const { cache } = make();
  cache.set('b', 'e/', { objects: [obj('e/'), obj('e/f')], prefixes: [] });
  cache.set('b', 'i/', { objects: [], prefixes: ['i/j/'] });
  cache.set('b', 'n/', { objects: [], prefixes: [] });
  t.is(cache.dirKind('b', 'e/'), 'explicit');
  t.is(cache.dirKind('b', 'i/'), 'implicit');
  t.is(cache.dirKind('b', 'n/'), 'absent');
  t.is(cache.dirKind('b', 'u/'), undefined);
});

test('invalidating a path drops every ancestor listing and its own, nothing else', (t) => {
  const { cache } = make();
  for (const dir of ['', 'a/', 'a/b/', 'a/b/c/', 'z/']) cache.set('b', dir, { objects: [], prefixes: [] });
  cache.set('other', 'a/', { objects: [], prefixes: [] });
  cache.invalidatePath('b', 'a/b/c/');
  t.is(cache.get('b', ''), undefined);
  t.is(cache.get('b', 'a/'), undefined);
  t.is(cache.get('b', 'a/b/'), undefined);
  t.is(cache.get('b', 'a/b/c/'), undefined);
  t.truthy(cache.get('b', 'z/'));
  t.truthy(cache.get('other', 'a/'));
});

test('cached listings are frozen copies', (t) => {
  const { cache } = make();
  const objects = [obj('x')];
  cache.set('b', '', { objects, prefixes: [] });
  objects.push(obj('y'));
  const got = cache.get('b', '')!;
  t.is(got.objects.length, 1);
  t.true(Object.isFrozen(got.objects));
});

test('the bound counts names across listings', (t) => {
  const { cache } = make(-1, 10);
  cache.set('b', 'a/', { objects: [obj('a/1'), obj('a/2'), obj('a/3')], prefixes: [] }); // weight 4
  cache.set('b', 'c/', { objects: [obj('c/1'), obj('c/2'), obj('c/3')], prefixes: ['c/d/'] }); // weight 5
  cache.set('b', 'e/', { objects: [obj('e/1')], prefixes: [] }); // weight 2: evicts a/
  t.is(cache.get('b', 'a/'), undefined);
  t.truthy(cache.get('b', 'c/'));
  t.truthy(cache.get('b', 'e/'));
  cache.deleteBucket('b');
  t.is(cache.size, 0);
});
