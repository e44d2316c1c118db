// The caching decorator's listings: which are cached, how they are replayed, what invalidates them.
import test from 'ava';
import { LIST_TTL, collect, isMissing, setup } from '../helpers/cached-backend-fixture.js';

test('a directory listing is cached until its TTL passes', async (t) => {
  const { clock, backend, cached } = await setup();
  await backend.put('bkt', 'd/a');
  await backend.put('bkt', 'd/b');
  await backend.put('bkt', 'd/sub/c');
  await backend.put('bkt', 'e');
  const first = await collect(cached.list('bkt', { prefix: 'd/', delimiter: '/' }));
  const second = await collect(cached.list('bkt', { prefix: 'd/', delimiter: '/' }));
  t.is(backend.count('listPage'), 1);
  t.deepEqual(
    second.flatMap((p) => p.objects.map((o) => o.name)),
    first.flatMap((p) => p.objects.map((o) => o.name)),
  );
  t.deepEqual(second[0]!.prefixes, ['d/sub/']);
  t.is(cached.listings.dirKind('bkt', 'd/'), 'implicit');
  await clock.advance(LIST_TTL);
  await collect(cached.list('bkt', { prefix: 'd/', delimiter: '/' }));
  t.is(backend.count('listPage'), 2);
});

test('listPage is served from a cached listing that fits one page', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'a');
  await backend.put('bkt', 'b');
  const page = await cached.listPage('bkt', { delimiter: '/' });
  t.is(page.nextPageToken, undefined);
  t.deepEqual(await cached.listPage('bkt', { delimiter: '/' }), {
    objects: page.objects,
    prefixes: page.prefixes,
  });
  t.is(backend.count('listPage'), 1);
  await cached.listPage('bkt', { delimiter: '/', pageSize: 1 });
  t.is(backend.count('listPage'), 2, 'too big for the asked page size: fetched');
});

test('a multi-page listing is recorded whole and replayed in pages of the asked size', async (t) => {
  const { backend, cached } = await setup();
  for (const n of ['a', 'b', 'c', 'd/x', 'e']) await backend.put('bkt', n);
  const fetched = await collect(cached.list('bkt', { delimiter: '/', pageSize: 2 }));
  t.is(backend.count('listPage'), 3);
  const replayed = await collect(cached.list('bkt', { delimiter: '/', pageSize: 2 }));
  t.is(backend.count('listPage'), 3);
  t.deepEqual(
    replayed.map((p) => [p.objects.map((o) => o.name), p.prefixes]),
    [
      [['a', 'b'], []],
      [['c'], ['d/']],
      [['e'], []],
    ],
  );
  t.is(replayed.at(-1)!.nextPageToken, undefined);
  t.deepEqual(
    fetched.flatMap((p) => [...p.objects.map((o) => o.name), ...p.prefixes]).sort(),
    replayed.flatMap((p) => [...p.objects.map((o) => o.name), ...p.prefixes]).sort(),
  );
});

test('an abandoned listing is not recorded', async (t) => {
  const { backend, cached } = await setup();
  for (const n of ['a', 'b', 'c']) await backend.put('bkt', n);
  for await (const _ of cached.list('bkt', { delimiter: '/', pageSize: 1 })) break;
  await collect(cached.list('bkt', { delimiter: '/', pageSize: 1 }));
  t.is(backend.count('listPage'), 4);
});

test('listings that are not directory-shaped pass through uncached', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'd/x');
  await collect(cached.list('bkt', { prefix: 'd/' }));
  await collect(cached.list('bkt', { prefix: 'd/' }));
  await collect(cached.list('bkt', { prefix: 'd', delimiter: '/' }));
  await collect(cached.list('bkt', { prefix: 'd', delimiter: '/' }));
  await cached.listPage('bkt', { delimiter: '/', startAfter: 'a' });
  await cached.listPage('bkt', { delimiter: '/', startAfter: 'a' });
  t.is(backend.count('listPage'), 6);
});

test('writing a deep name invalidates every ancestor listing (implicit dirs appear)', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'top');
  for (const prefix of ['', 'a/', 'a/b/']) await collect(cached.list('bkt', { prefix, delimiter: '/' }));
  t.is(backend.count('listPage'), 3);
  await cached.writeObject('bkt', 'a/b/c', Buffer.from('x'));
  const root = await collect(cached.list('bkt', { delimiter: '/' }));
  t.deepEqual(root[0]!.prefixes, ['a/']);
  const ab = await collect(cached.list('bkt', { prefix: 'a/b/', delimiter: '/' }));
  t.deepEqual(
    ab[0]!.objects.map((o) => o.name),
    ['a/b/c'],
  );
  t.is(backend.count('listPage'), 5);
});

test('deleting the last child drops the implicit directory from the parent listing', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'd/x');
  t.deepEqual((await collect(cached.list('bkt', { delimiter: '/' })))[0]!.prefixes, ['d/']);
  await cached.deleteObject('bkt', 'd/x');
  const root = await collect(cached.list('bkt', { delimiter: '/' }));
  t.deepEqual(root[0]!.prefixes, []);
});

test('a listed name clears its negative entry', async (t) => {
  const { backend, cached } = await setup();
  t.true(await isMissing(cached.statObject('bkt', 'x')));
  await backend.put('bkt', 'x');
  await collect(cached.list('bkt', { delimiter: '/' }));
  t.false(cached.negative.has('bkt', 'x'));
});

test('a listing that shows a newer version than the cached stat drops the stale entry', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  await backend.put('bkt', 'y');
  await cached.statObject('bkt', 'x');
  await cached.statObject('bkt', 'y');
  await backend.put('bkt', 'x', Buffer.from('newer')); // another client
  await collect(cached.list('bkt', { delimiter: '/' }));
  t.is((await cached.statObject('bkt', 'x')).size, 5, 'x was refetched');
  await cached.statObject('bkt', 'y');
  t.is(backend.count('statObject'), 3, 'y, unchanged, stayed cached');
});

test('a listing overtaken by a delete is not cached', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'd/x');
  const hold = backend.held.holdNext('listPage');
  const slowList = collect(cached.list('bkt', { prefix: 'd/', delimiter: '/' }));
  await hold.reached;
  await cached.deleteObject('bkt', 'd/x');
  hold.release();
  const pages = await slowList;
  t.deepEqual(
    pages[0]!.objects.map((o) => o.name),
    ['d/x'],
    'the slow listing answered with the deleted object',
  );
  t.is(cached.listings.get('bkt', 'd/'), undefined);
});
