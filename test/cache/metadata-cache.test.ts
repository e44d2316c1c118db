import test from 'ava';
import { ManualClock } from '../../common/clock.js';
import { MetadataCache, compareVersions } from '../../cache/metadata-cache.js';
import { listedObject, objectMeta } from '../helpers/object-meta.js';

const make = (ttlMs = 1000, maxEntries = 100) => {
  const clock = new ManualClock();
  return { clock, cache: new MetadataCache({ ttlMs, maxEntries, clock }) };
};

test('object entries are served until the TTL passes', async (t) => {
  const { clock, cache } = make(1000);
  cache.setObject(objectMeta('b', 'x'));
  t.is(cache.getObject('b', 'x')?.name, 'x');
  t.is(cache.getObject('other', 'x'), undefined);
  await clock.advance(1000);
  t.is(cache.getObject('b', 'x'), undefined);
});

test('TTL 0 caches nothing; -1 keeps entries forever', async (t) => {
  const off = make(0).cache;
  off.setObject(objectMeta('b', 'x'));
  t.false(off.enabled);
  t.is(off.getObject('b', 'x'), undefined);
  const { clock, cache } = make(-1);
  cache.setObject(objectMeta('b', 'x'));
  await clock.advance(1e12);
  t.truthy(cache.getObject('b', 'x'));
});

test('stored metadata is a frozen copy', (t) => {
  const { cache } = make();
  const meta = objectMeta('b', 'x', { metadata: { k: 'v' } });
  cache.setObject(meta);
  meta.metadata['k'] = 'changed';
  const got = cache.getObject('b', 'x')!;
  t.is(got.metadata['k'], 'v');
  t.true(Object.isFrozen(got));
  t.true(Object.isFrozen(got.metadata));
});

test('mutating the stored object afterwards changes nothing cached (fields, metadata, update time)', (t) => {
  const { cache } = make();
  const meta = objectMeta('b', 'x', { metadata: { k: 'v' }, contentType: 'text/plain' });
  const updated = meta.updated.getTime();
  cache.setObject(meta);
  meta.contentType = 'image/png';
  meta.size = 12345;
  meta.metadata['added'] = 'yes';
  meta.updated.setTime(0);
  const got = cache.getObject('b', 'x')!;
  t.is(got.contentType, 'text/plain');
  t.not(got.size, 12345);
  t.deepEqual(got.metadata, { k: 'v' });
  t.is(got.updated.getTime(), updated);
  t.not(got, meta);
});

test('an older version never replaces a newer one', (t) => {
  const { cache } = make();
  cache.setObject(objectMeta('b', 'x', { generation: '10', metageneration: '2' }));
  cache.setObject(objectMeta('b', 'x', { generation: '10', metageneration: '1' }));
  cache.setObject(objectMeta('b', 'x', { generation: '9', metageneration: '5' }));
  t.is(cache.getObject('b', 'x')?.metageneration, '2');
  cache.setObject(objectMeta('b', 'x', { generation: '11' }));
  t.is(cache.getObject('b', 'x')?.generation, '11');
});

test('generations compare as int64, not as text or float', (t) => {
  const a = { generation: '1700000000000000001', metageneration: '1' };
  const b = { generation: '1700000000000000002', metageneration: '1' };
  t.true(compareVersions(a, b) < 0);
  t.true(
    compareVersions({ generation: '9', metageneration: '1' }, { generation: '10', metageneration: '1' }) < 0,
  );
  t.is(compareVersions(a, a), 0);
});

test('a listing of a newer version drops the entry; one of the same or an older version keeps it', (t) => {
  const { cache } = make();
  cache.setObject(objectMeta('b', 'x', { generation: '5', metageneration: '2' }));
  cache.dropIfOlder('b', listedObject('x', { generation: '5', metageneration: '2' }));
  cache.dropIfOlder('b', listedObject('x', { generation: '4', metageneration: '9' }));
  t.is(cache.getObject('b', 'x')?.generation, '5');
  cache.dropIfOlder('b', listedObject('x', { generation: '5', metageneration: '3' }));
  t.is(cache.getObject('b', 'x'), undefined);
  cache.dropIfOlder('b', listedObject('y', { generation: '1' }));
  t.is(cache.size, 0, 'a listing stores nothing');
});

test('delete, deleteBucket and clear', (t) => {
  const { cache } = make();
  cache.setObject(objectMeta('b', 'x'));
  cache.setObject(objectMeta('b', 'y'));
  cache.setObject(objectMeta('c', 'x'));
  cache.delete('b', 'x');
  t.is(cache.getObject('b', 'x'), undefined);
  cache.deleteBucket('b');
  t.is(cache.getObject('b', 'y'), undefined);
  t.truthy(cache.getObject('c', 'x'));
  cache.clear();
  t.is(cache.size, 0);
});

test('the entry bound holds', (t) => {
  const { cache } = make(-1, 3);
  for (let i = 0; i < 5; i++) cache.setObject(objectMeta('b', `o${i}`));
  t.is(cache.size, 3);
  t.is(cache.getObject('b', 'o0'), undefined);
  t.truthy(cache.getObject('b', 'o4'));
});
