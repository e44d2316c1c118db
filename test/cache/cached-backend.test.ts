import test from 'ava';
import type { CachedBackend } from '../../cache/cached-backend.js';
import { StorageError } from '../../storage/errors.js';
import { NEG_TTL, STAT_TTL, collect, isMissing, setup } from '../helpers/cached-backend-fixture.js';
import { cachedBlock } from '../helpers/cached-block.js';

// --- stat ---

test('a stat hit makes no backend call; expiry refetches', async (t) => {
  const { clock, backend, cached } = await setup();
  const meta = await backend.put('bkt', 'x');
  t.is((await cached.statObject('bkt', 'x')).generation, meta.generation);
  t.is((await cached.statObject('bkt', 'x')).generation, meta.generation);
  t.is(backend.count('statObject'), 1);
  await clock.advance(STAT_TTL - 1);
  await cached.statObject('bkt', 'x');
  t.is(backend.count('statObject'), 1);
  await clock.advance(1);
  await cached.statObject('bkt', 'x');
  t.is(backend.count('statObject'), 2);
});

test('a remote overwrite is seen once the entry expires (the TTL trade-off)', async (t) => {
  const { clock, backend, cached } = await setup();
  await backend.put('bkt', 'x');
  await cached.statObject('bkt', 'x');
  const newer = await backend.put('bkt', 'x', Buffer.from('new data'));
  t.not((await cached.statObject('bkt', 'x')).generation, newer.generation);
  await clock.advance(STAT_TTL);
  t.is((await cached.statObject('bkt', 'x')).generation, newer.generation);
});

test('TTL 0 disables the stat cache', async (t) => {
  const { backend, cached } = await setup({ stat: 0 });
  await backend.put('bkt', 'x');
  await cached.statObject('bkt', 'x');
  await cached.statObject('bkt', 'x');
  t.is(backend.count('statObject'), 2);
});

test('a stat of a specific generation bypasses the cache', async (t) => {
  const { backend, cached } = await setup();
  const meta = await backend.put('bkt', 'x');
  await cached.statObject('bkt', 'x');
  await cached.statObject('bkt', 'x', { generation: meta.generation });
  t.is(backend.count('statObject'), 2);
});

test('not-found answers are cached negatively for their shorter TTL', async (t) => {
  const { clock, backend, cached } = await setup();
  t.true(await isMissing(cached.statObject('bkt', 'x')));
  t.true(await isMissing(cached.statObject('bkt', 'x')));
  t.is(backend.count('statObject'), 1);
  await backend.put('bkt', 'x'); // another client creates it
  await clock.advance(NEG_TTL);
  t.is((await cached.statObject('bkt', 'x')).name, 'x');
  t.is(backend.count('statObject'), 2);
});

test('other errors are not cached', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  backend.faulty.addRule({ method: 'statObject', error: new StorageError('unavailable', '503'), times: 1 });
  await t.throwsAsync(cached.statObject('bkt', 'x'));
  t.is((await cached.statObject('bkt', 'x')).name, 'x');
  t.is(backend.count('statObject'), 2);
});

// --- mutations ---

test('a write clears the negative entry and fills the stat cache with the returned metadata', async (t) => {
  const { backend, cached } = await setup();
  t.true(await isMissing(cached.statObject('bkt', 'x')));
  const written = await cached.writeObject('bkt', 'x', Buffer.from('hello'));
  const stat = await cached.statObject('bkt', 'x');
  t.is(stat.generation, written.generation);
  t.is(stat.size, 5);
  t.is(backend.count('statObject'), 1, 'only the first, negative, stat reached the backend');
});

test('a delete through the mount is seen at once, as a cached not-found', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  await cached.statObject('bkt', 'x');
  await cached.deleteObject('bkt', 'x');
  t.true(await isMissing(cached.statObject('bkt', 'x')));
  t.is(backend.count('statObject'), 1);
});

test('deleting a missing object records it as missing', async (t) => {
  const { backend, cached } = await setup();
  await t.throwsAsync(cached.deleteObject('bkt', 'x'));
  t.true(await isMissing(cached.statObject('bkt', 'x')));
  t.is(backend.count('statObject'), 0);
});

test('deleting one generation does not claim the name is gone', async (t) => {
  const { backend, cached } = await setup();
  const meta = await backend.put('bkt', 'x');
  await cached.deleteObject('bkt', 'x', { generation: meta.generation });
  t.false(cached.negative.has('bkt', 'x'));
});

const mutations: {
  name: string;
  run: (c: CachedBackend) => Promise<unknown>;
  /** After the mutation, does a stat of b/x reach the backend? */
  statCalls: number;
  exists: boolean;
}[] = [
  {
    name: 'writeObject',
    run: (c) => c.writeObject('bkt', 'x', Buffer.from('new')),
    statCalls: 0,
    exists: true,
  },
  {
    name: 'copyObject onto it',
    run: (c) => c.copyObject({ bucket: 'bkt', name: 'src' }, { bucket: 'bkt', name: 'x' }),
    statCalls: 0,
    exists: true,
  },
  {
    name: 'composeObject onto it',
    run: (c) => c.composeObject('bkt', 'x', [{ name: 'src' }, { name: 'x' }]),
    statCalls: 0,
    exists: true,
  },
  {
    name: 'updateObjectMetadata',
    run: (c) => c.updateObjectMetadata('bkt', 'x', { contentType: 'text/plain' }),
    statCalls: 0,
    exists: true,
  },
  { name: 'deleteObject', run: (c) => c.deleteObject('bkt', 'x'), statCalls: 0, exists: false },
  {
    name: 'setAcl on the object',
    run: (c) => c.setAcl({ kind: 'object', bucket: 'bkt', name: 'x' }, 'public-read'),
    statCalls: 1,
    exists: true,
  },
];
for (const m of mutations) {
  test(`${m.name} through the decorator leaves no stale stat or listing`, async (t) => {
    const { backend, cached } = await setup();
    await backend.put('bkt', 'src');
    await backend.put('bkt', 'x');
    const before = await cached.statObject('bkt', 'x');
    await collect(cached.list('bkt', { delimiter: '/' }));
    const statsBefore = backend.count('statObject');
    const listsBefore = backend.count('listPage');
    await m.run(cached);
    const live = await backend.live('bkt', 'x');
    t.is(live !== undefined, m.exists);
    if (m.exists) {
      const after = await cached.statObject('bkt', 'x');
      t.is(after.generation, live!.generation);
      t.is(after.metageneration, live!.metageneration);
      t.notDeepEqual([after.generation, after.metageneration], [before.generation, before.metageneration]);
    } else {
      t.true(await isMissing(cached.statObject('bkt', 'x')));
    }
    t.is(backend.count('statObject') - statsBefore, m.statCalls);
    const [page] = await collect(cached.list('bkt', { delimiter: '/' }));
    t.is(backend.count('listPage') - listsBefore, 1, 'the root listing was refetched');
    t.deepEqual(page!.objects.find((o) => o.name === 'x')?.generation, live?.generation);
  });
}

test('a failed mutation invalidates (the cached view may be what was wrong)', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  await cached.statObject('bkt', 'x');
  const error = await t.throwsAsync<StorageError>(
    cached.writeObject('bkt', 'x', Buffer.from('z'), { ifGenerationMatch: '0' }),
  );
  t.is(error.code, 'precondition-failed');
  await cached.statObject('bkt', 'x');
  t.is(backend.count('statObject'), 2);
});

test('bucket and default-object ACL changes touch no object entry', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  await cached.statObject('bkt', 'x');
  await cached.setAcl({ kind: 'bucket', bucket: 'bkt' }, 'private');
  await cached.setAcl({ kind: 'default-object', bucket: 'bkt' }, 'private');
  await cached.statObject('bkt', 'x');
  t.is(backend.count('statObject'), 1);
});

test('creating or deleting a bucket forgets everything cached about it', async (t) => {
  const { backend, cached } = await setup();
  t.true(await isMissing(cached.statObject('other', 'x')));
  await backend.put('bkt', 'y');
  await cached.statObject('bkt', 'y');
  await cached.deleteBucket('other');
  await cached.createBucket('other');
  await backend.put('other', 'x');
  t.is((await cached.statObject('other', 'x')).name, 'x');
  await cached.statObject('bkt', 'y');
  t.is(backend.count('statObject'), 3, 'b/y stays cached; c/x is refetched');
});

test('dropAll forgets all metadata', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  await cached.statObject('bkt', 'x');
  t.true(await isMissing(cached.statObject('bkt', 'y')));
  await collect(cached.list('bkt', { delimiter: '/' }));
  cached.dropAll();
  await cached.statObject('bkt', 'x');
  t.true(await isMissing(cached.statObject('bkt', 'y')));
  await collect(cached.list('bkt', { delimiter: '/' }));
  t.is(backend.count('statObject'), 4);
  t.is(backend.count('listPage'), 2);
});

test('reading bytes of a newer generation than the cached one drops the stale entry', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  await cached.statObject('bkt', 'x');
  const newer = await backend.put('bkt', 'x', Buffer.from('other'));
  const stream = await cached.readObject('bkt', 'x');
  stream.body.resume();
  t.is((await cached.statObject('bkt', 'x')).generation, newer.generation);
  t.is(backend.count('statObject'), 2);
});

test('the mount’s writes and deletes drop the object’s content blocks', async (t) => {
  const { backend, cached, content } = await setup();
  const meta = await backend.put('bkt', 'x');
  const key = { bucket: 'bkt', object: 'x', generation: meta.generation, index: 0 };
  content.putBlock(key, Buffer.from('abc'));
  await cached.writeObject('bkt', 'x', Buffer.from('new'));
  t.is(await cachedBlock(content, key, 3), undefined);
  content.putBlock(key, Buffer.from('abc'));
  await cached.deleteObject('bkt', 'x');
  t.is(await cachedBlock(content, key, 3), undefined);
});

// --- races ---

test('a stat overtaken by a write does not put the old metadata back', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  const hold = backend.held.holdNext('statObject');
  const slowStat = cached.statObject('bkt', 'x');
  await hold.reached;
  const written = await cached.writeObject('bkt', 'x', Buffer.from('new'));
  hold.release();
  t.not((await slowStat).generation, written.generation, 'the slow stat answered with the old version');
  t.is((await cached.statObject('bkt', 'x')).generation, written.generation);
  t.is(backend.count('statObject'), 1);
});

test('a stat overtaken by a delete does not resurrect the object', async (t) => {
  const { clock, backend, cached } = await setup();
  await backend.put('bkt', 'x');
  const hold = backend.held.holdNext('statObject');
  const slowStat = cached.statObject('bkt', 'x');
  await hold.reached;
  await cached.deleteObject('bkt', 'x');
  hold.release();
  t.is((await slowStat).name, 'x', 'the slow stat answered with the deleted object');
  t.true(await isMissing(cached.statObject('bkt', 'x')));
  t.is(backend.count('statObject'), 1);
  await clock.advance(NEG_TTL);
  t.true(await isMissing(cached.statObject('bkt', 'x')), 'no stale positive entry behind the negative one');
  t.is(backend.count('statObject'), 2);
});

test('a not-found overtaken by a create is not cached as missing', async (t) => {
  const { backend, cached } = await setup();
  const hold = backend.held.holdNext('statObject');
  const slowStat = cached.statObject('bkt', 'x');
  await hold.reached;
  await cached.writeObject('bkt', 'x', Buffer.from('new'));
  hold.release();
  t.true(await isMissing(slowStat), 'the slow stat answered with what was true when it started');
  t.false(cached.negative.has('bkt', 'x'));
  t.is((await cached.statObject('bkt', 'x')).size, 3);
});

// --- concurrent stats of one name share one HEAD ---

test('a stat of a name whose HEAD is in flight joins it', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  const hold = backend.held.holdNext('statObject');
  const first = cached.statObject('bkt', 'x');
  await hold.reached;
  const second = cached.statObject('bkt', 'x');
  hold.release();
  t.is((await first).generation, (await second).generation);
  t.is(backend.count('statObject'), 1);
});

test('a stat does not join a HEAD that a mutation overtook', async (t) => {
  const { backend, cached } = await setup();
  await backend.put('bkt', 'x');
  const hold = backend.held.holdNext('statObject');
  const slow = cached.statObject('bkt', 'x');
  await hold.reached;
  await cached.updateObjectMetadata('bkt', 'x', { metadata: { k: 'v' } });
  cached.metadata.clear(); // as if the mutation's answer had expired: the next stat must ask
  const fresh = cached.statObject('bkt', 'x');
  hold.release();
  t.deepEqual({ ...(await fresh).metadata }, { k: 'v' });
  t.deepEqual({ ...(await slow).metadata }, {});
  t.is(backend.count('statObject'), 2);
});

test('a joined HEAD that finds nothing is a not-found for both callers', async (t) => {
  const { backend, cached } = await setup();
  const hold = backend.held.holdNext('statObject');
  const first = cached.statObject('bkt', 'x');
  await hold.reached;
  const second = cached.statObject('bkt', 'x');
  hold.release();
  t.true(await isMissing(first));
  t.true(await isMissing(second));
  t.is(backend.count('statObject'), 1);
});
