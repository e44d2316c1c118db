import test from 'ava';
import { ManualClock } from '../../common/clock.js';
import { CachedBackend } from '../../cache/cached-backend.js';
import { ContentCache } from '../../cache/content-cache.js';
import { ListingCache } from '../../cache/listing-cache.js';
import { MemoryBlocks } from '../../cache/memory-blocks.js';
import { MetadataCache } from '../../cache/metadata-cache.js';
import { NegativeCache } from '../../cache/negative-cache.js';
import { StorageError, isStorageError } from '../../storage/errors.js';
import { FaultyBackend } from '../../storage/fake/faulty-backend.js';
import { MemoryBackend } from '../../storage/fake/memory-backend.js';
import type { ListPage, ObjectMeta } from '../../storage/types.js';
import { counting, type Method } from '../helpers/counting-backend.js';
import { HeldAnswers } from '../helpers/held-answers.js';

const STAT_TTL = 60_000;
const NEG_TTL = 5_000;
const LIST_TTL = 30_000;

const notFound = { is: (e: unknown) => isStorageError(e, 'not-found') };

/** The decorator over the in-memory fake, counted (what reached the store), with faults and held answers
 *  in between. `put`/`remove`/`live` work on the fake directly: another client, behind the cache's back. */
async function setup(ttls: { stat?: number; negative?: number; list?: number } = {}) {
  const clock = new ManualClock();
  const memory = new MemoryBackend({ clock });
  await memory.createBucket('bkt');
  await memory.createBucket('other');
  const held = new HeldAnswers(memory);
  const faulty = new FaultyBackend(held);
  const counted = counting(faulty);
  const backend = {
    faulty,
    held,
    count: (method: Method): number => counted.counts()[method] ?? 0,
    put: (bucket: string, name: string, data = Buffer.from('abc')): Promise<ObjectMeta> =>
      memory.writeObject(bucket, name, data),
    live: (bucket: string, name: string): Promise<ObjectMeta | undefined> =>
      memory.statObject(bucket, name).catch((e: unknown) => {
        if (notFound.is(e)) return undefined;
        throw e;
      }),
  };
  const content = new ContentCache({ memory: new MemoryBlocks({ maxBytes: 1 << 20 }) });
  const cached = new CachedBackend(counted.backend, {
    metadata: new MetadataCache({ ttlMs: ttls.stat ?? STAT_TTL, maxEntries: 1000, clock }),
    negative: new NegativeCache({ ttlMs: ttls.negative ?? NEG_TTL, maxEntries: 1000, clock }),
    listings: new ListingCache({ ttlMs: ttls.list ?? LIST_TTL, maxEntries: 10_000, clock }),
    content,
  });
  return { clock, backend, cached, content };
}

async function isMissing(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return false;
  } catch (e) {
    return notFound.is(e);
  }
}

async function collect(pages: AsyncIterable<ListPage>): Promise<ListPage[]> {
  const out: ListPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

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
  t.is(await content.getBlock(key), undefined);
  content.putBlock(key, Buffer.from('abc'));
  await cached.deleteObject('bkt', 'x');
  t.is(await content.getBlock(key), undefined);
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

// --- listings ---

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
