import test from 'ava';
import { ManualClock } from '../../common/clock.js';
import { CachedBackend } from '../../cache/cached-backend.js';
import { ContentCache } from '../../cache/content-cache.js';
import { ListingCache } from '../../cache/listing-cache.js';
import { MemoryBlocks } from '../../cache/memory-blocks.js';
import { MetadataCache } from '../../cache/metadata-cache.js';
import { NegativeCache } from '../../cache/negative-cache.js';
import { StorageError, isStorageError } from '../../storage/errors.js';
import type { ListPage } from '../../storage/types.js';
import { CountingBackend } from './counting-backend.js';

const STAT_TTL = 60_000;
const NEG_TTL = 5_000;
const LIST_TTL = 30_000;

function setup(ttls: { stat?: number; negative?: number; list?: number } = {}) {
  const clock = new ManualClock();
  const backend = new CountingBackend('b', 'c');
  const content = new ContentCache({ memory: new MemoryBlocks({ maxBytes: 1 << 20 }) });
  const cached = new CachedBackend(backend, {
    metadata: new MetadataCache({ ttlMs: ttls.stat ?? STAT_TTL, maxEntries: 1000, clock }),
    negative: new NegativeCache({ ttlMs: ttls.negative ?? NEG_TTL, maxEntries: 1000, clock }),
    listings: new ListingCache({ ttlMs: ttls.list ?? LIST_TTL, maxEntries: 10_000, clock }),
    content,
  });
  return { clock, backend, cached, content };
}

const notFound = { is: (e: unknown) => isStorageError(e, 'not-found') };

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
  const { clock, backend, cached } = setup();
  const meta = backend.put('b', 'x');
  t.is((await cached.statObject('b', 'x')).generation, meta.generation);
  t.is((await cached.statObject('b', 'x')).generation, meta.generation);
  t.is(backend.count('statObject'), 1);
  await clock.advance(STAT_TTL - 1);
  await cached.statObject('b', 'x');
  t.is(backend.count('statObject'), 1);
  await clock.advance(1);
  await cached.statObject('b', 'x');
  t.is(backend.count('statObject'), 2);
});

test('a remote overwrite is seen once the entry expires (the TTL trade-off)', async (t) => {
  const { clock, backend, cached } = setup();
  backend.put('b', 'x');
  await cached.statObject('b', 'x');
  const newer = backend.put('b', 'x', Buffer.from('new data'));
  t.not((await cached.statObject('b', 'x')).generation, newer.generation);
  await clock.advance(STAT_TTL);
  t.is((await cached.statObject('b', 'x')).generation, newer.generation);
});

test('TTL 0 disables the stat cache', async (t) => {
  const { backend, cached } = setup({ stat: 0 });
  backend.put('b', 'x');
  await cached.statObject('b', 'x');
  await cached.statObject('b', 'x');
  t.is(backend.count('statObject'), 2);
});

test('a stat of a specific generation bypasses the cache', async (t) => {
  const { backend, cached } = setup();
  const meta = backend.put('b', 'x');
  await cached.statObject('b', 'x');
  await cached.statObject('b', 'x', { generation: meta.generation });
  t.is(backend.count('statObject'), 2);
});

test('not-found answers are cached negatively for their shorter TTL', async (t) => {
  const { clock, backend, cached } = setup();
  t.true(await isMissing(cached.statObject('b', 'x')));
  t.true(await isMissing(cached.statObject('b', 'x')));
  t.is(backend.count('statObject'), 1);
  backend.put('b', 'x'); // another client creates it
  await clock.advance(NEG_TTL);
  t.is((await cached.statObject('b', 'x')).name, 'x');
  t.is(backend.count('statObject'), 2);
});

test('other errors are not cached', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'x');
  backend.failNext.set('statObject', new StorageError('unavailable', '503'));
  await t.throwsAsync(cached.statObject('b', 'x'));
  t.is((await cached.statObject('b', 'x')).name, 'x');
  t.is(backend.count('statObject'), 2);
});

// --- mutations ---

test('a write clears the negative entry and fills the stat cache with the returned metadata', async (t) => {
  const { backend, cached } = setup();
  t.true(await isMissing(cached.statObject('b', 'x')));
  const written = await cached.writeObject('b', 'x', Buffer.from('hello'));
  const stat = await cached.statObject('b', 'x');
  t.is(stat.generation, written.generation);
  t.is(stat.size, 5);
  t.is(backend.count('statObject'), 1, 'only the first, negative, stat reached the backend');
});

test('a delete through the mount is seen at once, as a cached not-found', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'x');
  await cached.statObject('b', 'x');
  await cached.deleteObject('b', 'x');
  t.true(await isMissing(cached.statObject('b', 'x')));
  t.is(backend.count('statObject'), 1);
});

test('deleting a missing object records it as missing', async (t) => {
  const { backend, cached } = setup();
  await t.throwsAsync(cached.deleteObject('b', 'x'));
  t.true(await isMissing(cached.statObject('b', 'x')));
  t.is(backend.count('statObject'), 0);
});

test('deleting one generation does not claim the name is gone', async (t) => {
  const { backend, cached } = setup();
  const meta = backend.put('b', 'x');
  await cached.deleteObject('b', 'x', { generation: meta.generation });
  t.false(cached.negative.has('b', 'x'));
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
    run: (c) => c.writeObject('b', 'x', Buffer.from('new')),
    statCalls: 0,
    exists: true,
  },
  {
    name: 'copyObject onto it',
    run: (c) => c.copyObject({ bucket: 'b', name: 'src' }, { bucket: 'b', name: 'x' }),
    statCalls: 0,
    exists: true,
  },
  {
    name: 'composeObject onto it',
    run: (c) => c.composeObject('b', 'x', [{ name: 'src' }, { name: 'x' }]),
    statCalls: 0,
    exists: true,
  },
  {
    name: 'updateObjectMetadata',
    run: (c) => c.updateObjectMetadata('b', 'x', { contentType: 'text/plain' }),
    statCalls: 0,
    exists: true,
  },
  { name: 'deleteObject', run: (c) => c.deleteObject('b', 'x'), statCalls: 0, exists: false },
  {
    name: 'setAcl on the object',
    run: (c) => c.setAcl({ kind: 'object', bucket: 'b', name: 'x' }, 'public-read'),
    statCalls: 1,
    exists: true,
  },
];
for (const m of mutations) {
  test(`${m.name} through the decorator leaves no stale stat or listing`, async (t) => {
    const { backend, cached } = setup();
    backend.put('b', 'src');
    backend.put('b', 'x');
    const before = await cached.statObject('b', 'x');
    await collect(cached.list('b', { delimiter: '/' }));
    const statsBefore = backend.count('statObject');
    const listsBefore = backend.count('listPage');
    await m.run(cached);
    const live = backend.buckets.get('b')!.get('x');
    if (m.exists) {
      const after = await cached.statObject('b', 'x');
      t.is(after.generation, live!.meta.generation);
      t.is(after.metageneration, live!.meta.metageneration);
      t.notDeepEqual([after.generation, after.metageneration], [before.generation, before.metageneration]);
    } else {
      t.true(await isMissing(cached.statObject('b', 'x')));
    }
    t.is(backend.count('statObject') - statsBefore, m.statCalls);
    const [page] = await collect(cached.list('b', { delimiter: '/' }));
    t.is(backend.count('listPage') - listsBefore, 1, 'the root listing was refetched');
    t.deepEqual(page!.objects.find((o) => o.name === 'x')?.generation, live?.meta.generation);
  });
}

test('a failed mutation invalidates (the cached view may be what was wrong)', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'x');
  await cached.statObject('b', 'x');
  const error = await t.throwsAsync<StorageError>(
    cached.writeObject('b', 'x', Buffer.from('z'), { ifGenerationMatch: '1' }),
  );
  t.is(error.code, 'precondition-failed');
  await cached.statObject('b', 'x');
  t.is(backend.count('statObject'), 2);
});

test('bucket and default-object ACL changes touch no object entry', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'x');
  await cached.statObject('b', 'x');
  await cached.setAcl({ kind: 'bucket', bucket: 'b' }, 'private');
  await cached.setAcl({ kind: 'default-object', bucket: 'b' }, 'private');
  await cached.statObject('b', 'x');
  t.is(backend.count('statObject'), 1);
});

test('creating or deleting a bucket forgets everything cached about it', async (t) => {
  const { backend, cached } = setup();
  t.true(await isMissing(cached.statObject('c', 'x')));
  backend.put('b', 'y');
  await cached.statObject('b', 'y');
  await cached.deleteBucket('c');
  await cached.createBucket('c');
  backend.put('c', 'x');
  t.is((await cached.statObject('c', 'x')).name, 'x');
  await cached.statObject('b', 'y');
  t.is(backend.count('statObject'), 3, 'b/y stays cached; c/x is refetched');
});

test('dropAll forgets all metadata', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'x');
  await cached.statObject('b', 'x');
  t.true(await isMissing(cached.statObject('b', 'y')));
  await collect(cached.list('b', { delimiter: '/' }));
  cached.dropAll();
  await cached.statObject('b', 'x');
  t.true(await isMissing(cached.statObject('b', 'y')));
  await collect(cached.list('b', { delimiter: '/' }));
  t.is(backend.count('statObject'), 4);
  t.is(backend.count('listPage'), 2);
});

test('reading bytes of a newer generation than the cached one drops the stale entry', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'x');
  await cached.statObject('b', 'x');
  const newer = backend.put('b', 'x', Buffer.from('other'));
  const stream = await cached.readObject('b', 'x');
  stream.body.resume();
  t.is((await cached.statObject('b', 'x')).generation, newer.generation);
  t.is(backend.count('statObject'), 2);
});

test('the mount’s writes and deletes drop the object’s content blocks', async (t) => {
  const { backend, cached, content } = setup();
  const meta = backend.put('b', 'x');
  const key = { bucket: 'b', object: 'x', generation: meta.generation, index: 0 };
  content.putBlock(key, Buffer.from('abc'));
  await cached.writeObject('b', 'x', Buffer.from('new'));
  t.is(await content.getBlock(key), undefined);
  content.putBlock(key, Buffer.from('abc'));
  await cached.deleteObject('b', 'x');
  t.is(await content.getBlock(key), undefined);
});

// --- races ---

test('a stat overtaken by a write does not put the old metadata back', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'x');
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  backend.lateGate = (method) => (method === 'statObject' ? held : Promise.resolve());
  const slowStat = cached.statObject('b', 'x');
  await Promise.resolve();
  const written = await cached.writeObject('b', 'x', Buffer.from('new'));
  release();
  t.not((await slowStat).generation, written.generation, 'the slow stat answered with the old version');
  backend.lateGate = undefined;
  t.is((await cached.statObject('b', 'x')).generation, written.generation);
  t.is(backend.count('statObject'), 1);
});

test('a stat overtaken by a delete does not resurrect the object', async (t) => {
  const { clock, backend, cached } = setup();
  backend.put('b', 'x');
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  backend.lateGate = (method) => (method === 'statObject' ? held : Promise.resolve());
  const slowStat = cached.statObject('b', 'x');
  await Promise.resolve();
  await cached.deleteObject('b', 'x');
  release();
  t.is((await slowStat).name, 'x', 'the slow stat answered with the deleted object');
  t.true(await isMissing(cached.statObject('b', 'x')));
  t.is(backend.count('statObject'), 1);
  await clock.advance(NEG_TTL);
  t.true(await isMissing(cached.statObject('b', 'x')), 'no stale positive entry behind the negative one');
  t.is(backend.count('statObject'), 2);
});

test('a not-found overtaken by a create is not cached as missing', async (t) => {
  const { backend, cached } = setup();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  backend.lateGate = (method) => (method === 'statObject' ? held : Promise.resolve());
  const slowStat = cached.statObject('b', 'x');
  await Promise.resolve();
  await cached.writeObject('b', 'x', Buffer.from('new'));
  release();
  t.true(await isMissing(slowStat), 'the slow stat answered with what was true when it started');
  t.false(cached.negative.has('b', 'x'));
  t.is((await cached.statObject('b', 'x')).size, 3);
});

test('a listing overtaken by a delete is not cached', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'd/x');
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  backend.lateGate = (method) => (method === 'listPage' ? held : Promise.resolve());
  const slowList = collect(cached.list('b', { prefix: 'd/', delimiter: '/' }));
  await Promise.resolve();
  await cached.deleteObject('b', 'd/x');
  release();
  const pages = await slowList;
  t.deepEqual(
    pages[0]!.objects.map((o) => o.name),
    ['d/x'],
    'the slow listing answered with the deleted object',
  );
  t.is(cached.listings.get('b', 'd/'), undefined);
  t.is(cached.metadata.get('b', 'd/x'), undefined);
});

// --- listings ---

test('a directory listing is cached and fills the stat cache', async (t) => {
  const { clock, backend, cached } = setup();
  backend.put('b', 'd/a');
  backend.put('b', 'd/b');
  backend.put('b', 'd/sub/c');
  backend.put('b', 'e');
  const first = await collect(cached.list('b', { prefix: 'd/', delimiter: '/' }));
  const second = await collect(cached.list('b', { prefix: 'd/', delimiter: '/' }));
  t.is(backend.count('listPage'), 1);
  t.deepEqual(
    second.flatMap((p) => p.objects.map((o) => o.name)),
    first.flatMap((p) => p.objects.map((o) => o.name)),
  );
  t.deepEqual(second[0]!.prefixes, ['d/sub/']);
  t.is(cached.metadata.get('b', 'd/a')?.kind, 'listed');
  t.deepEqual(cached.metadata.get('b', 'd/sub/'), { kind: 'prefix' });
  t.is(cached.listings.dirKind('b', 'd/'), 'implicit');
  await clock.advance(LIST_TTL);
  await collect(cached.list('b', { prefix: 'd/', delimiter: '/' }));
  t.is(backend.count('listPage'), 2);
});

test('listPage is served from a cached listing that fits one page', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'a');
  backend.put('b', 'b');
  const page = await cached.listPage('b', { delimiter: '/' });
  t.is(page.nextPageToken, undefined);
  t.deepEqual(await cached.listPage('b', { delimiter: '/' }), {
    objects: page.objects,
    prefixes: page.prefixes,
  });
  t.is(backend.count('listPage'), 1);
  await cached.listPage('b', { delimiter: '/', pageSize: 1 });
  t.is(backend.count('listPage'), 2, 'too big for the asked page size: fetched');
});

test('a multi-page listing is recorded whole and replayed in pages of the asked size', async (t) => {
  const { backend, cached } = setup();
  for (const n of ['a', 'b', 'c', 'd/x', 'e']) backend.put('b', n);
  const fetched = await collect(cached.list('b', { delimiter: '/', pageSize: 2 }));
  t.is(backend.count('listPage'), 3);
  const replayed = await collect(cached.list('b', { delimiter: '/', pageSize: 2 }));
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
  const { backend, cached } = setup();
  for (const n of ['a', 'b', 'c']) backend.put('b', n);
  for await (const _ of cached.list('b', { delimiter: '/', pageSize: 1 })) break;
  await collect(cached.list('b', { delimiter: '/', pageSize: 1 }));
  t.is(backend.count('listPage'), 4);
});

test('listings that are not directory-shaped pass through uncached', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'd/x');
  await collect(cached.list('b', { prefix: 'd/' }));
  await collect(cached.list('b', { prefix: 'd/' }));
  await collect(cached.list('b', { prefix: 'd', delimiter: '/' }));
  await collect(cached.list('b', { prefix: 'd', delimiter: '/' }));
  await cached.listPage('b', { delimiter: '/', startAfter: 'a' });
  await cached.listPage('b', { delimiter: '/', startAfter: 'a' });
  t.is(backend.count('listPage'), 6);
  t.is(cached.metadata.get('b', 'd/x'), undefined);
});

test('writing a deep name invalidates every ancestor listing (implicit dirs appear)', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'top');
  for (const prefix of ['', 'a/', 'a/b/']) await collect(cached.list('b', { prefix, delimiter: '/' }));
  t.is(backend.count('listPage'), 3);
  await cached.writeObject('b', 'a/b/c', Buffer.from('x'));
  const root = await collect(cached.list('b', { delimiter: '/' }));
  t.deepEqual(root[0]!.prefixes, ['a/']);
  const ab = await collect(cached.list('b', { prefix: 'a/b/', delimiter: '/' }));
  t.deepEqual(
    ab[0]!.objects.map((o) => o.name),
    ['a/b/c'],
  );
  t.is(backend.count('listPage'), 5);
});

test('deleting the last child forgets the implicit directory marker above it', async (t) => {
  const { backend, cached } = setup();
  backend.put('b', 'd/x');
  await collect(cached.list('b', { delimiter: '/' }));
  t.deepEqual(cached.metadata.get('b', 'd/'), { kind: 'prefix' });
  await cached.deleteObject('b', 'd/x');
  t.is(cached.metadata.get('b', 'd/'), undefined);
  const root = await collect(cached.list('b', { delimiter: '/' }));
  t.deepEqual(root[0]!.prefixes, []);
});

test('a listed name clears its negative entry', async (t) => {
  const { backend, cached } = setup();
  t.true(await isMissing(cached.statObject('b', 'x')));
  backend.put('b', 'x');
  await collect(cached.list('b', { delimiter: '/' }));
  t.false(cached.negative.has('b', 'x'));
});
