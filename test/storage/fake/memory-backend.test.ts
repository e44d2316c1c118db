import crypto from 'node:crypto';
import test from 'ava';
import { ManualClock } from '../../../common/clock.js';
import { isStorageError } from '../../../storage/errors.js';
import { projectTeams } from '../../../storage/fake/canned-acls.js';
import { MemoryBackend } from '../../../storage/fake/memory-backend.js';
import { backendContract, collect, readAll } from '../backend-contract.js';

backendContract('memory', async () => {
  const backend = new MemoryBackend({ clock: new ManualClock() });
  await backend.createBucket('contract-bucket');
  return { backend, bucket: 'contract-bucket', teardown: () => Promise.resolve() };
});

backendContract(
  'memory (metageneration updates)',
  async () => {
    const backend = new MemoryBackend({ metadataUpdate: 'metageneration' });
    await backend.createBucket('contract-bucket');
    return { backend, bucket: 'contract-bucket', teardown: () => Promise.resolve() };
  },
  { metadataUpdateKeepsGeneration: true },
);

test('generations are clock microseconds, strictly increasing when the clock stands still', async (t) => {
  const clock = new ManualClock(1_700_000_000_123);
  const backend = new MemoryBackend({ clock });
  await backend.createBucket('gens');
  const a = await backend.writeObject('gens', 'a', Buffer.from('a'));
  const b = await backend.writeObject('gens', 'b', Buffer.from('b'));
  t.is(a.generation, '1700000000123000');
  t.is(b.generation, '1700000000123001');
  await clock.advance(5);
  t.is((await backend.writeObject('gens', 'a', Buffer.from('a'))).generation, '1700000000128000');
  t.deepEqual(a.updated, new Date(1_700_000_000_123));
});

test('bucket names follow §1.4', async (t) => {
  const backend = new MemoryBackend();
  const bad = [
    'ab',
    'Abc',
    '-abc',
    'abc-',
    'a'.repeat(64),
    '192.168.5.4',
    'goog-bucket',
    'my-google-b',
    'my-g00gle',
    'a..b',
    'a b',
  ];
  for (const name of bad) {
    const e = await t.throwsAsync(backend.createBucket(name));
    t.true(isStorageError(e, 'invalid-name'), name);
  }
  for (const name of ['abc', 'a_b-c.d', `${'a'.repeat(63)}.${'b'.repeat(63)}`, '1bucket']) {
    await t.notThrowsAsync(backend.createBucket(name), name);
  }
});

test('object names follow §1.5', async (t) => {
  const backend = new MemoryBackend();
  await backend.createBucket('names');
  for (const name of [
    '',
    '.',
    '..',
    'a\nb',
    'a\rb',
    '.well-known/acme-challenge/x',
    'é'.repeat(513),
    '\uD800x',
  ]) {
    const e = await t.throwsAsync(backend.writeObject('names', name, Buffer.from('x')));
    t.true(isStorageError(e, 'invalid-name'), JSON.stringify(name));
  }
  await t.notThrowsAsync(backend.writeObject('names', 'é'.repeat(512), Buffer.from('x')));
  await t.notThrowsAsync(backend.writeObject('names', './..', Buffer.from('x')));
});

test('new buckets and objects get the project-private ACL; canned ACLs expand per §5.3', async (t) => {
  const backend = new MemoryBackend({ project: 'proj', ownerId: 'owner-id' });
  await backend.createBucket('acls');
  const teams = projectTeams('proj');
  const projectPrivate = {
    owner: { id: 'owner-id' },
    entries: [
      { scope: { type: 'UserById', id: 'owner-id' }, permission: 'FULL_CONTROL' },
      { scope: { type: 'GroupById', id: teams.owners }, permission: 'FULL_CONTROL' },
      { scope: { type: 'GroupById', id: teams.editors }, permission: 'FULL_CONTROL' },
      { scope: { type: 'GroupById', id: teams.viewers }, permission: 'READ' },
    ],
  };
  t.deepEqual(await backend.getAcl({ kind: 'bucket', bucket: 'acls' }), projectPrivate);
  // A default object ACL has no owner entry: each object's creator gets FULL_CONTROL when it is created.
  t.deepEqual(await backend.getAcl({ kind: 'default-object', bucket: 'acls' }), {
    owner: { id: 'owner-id' },
    entries: projectPrivate.entries.slice(1),
  });
  await backend.writeObject('acls', 'o', Buffer.from('x'));
  t.deepEqual(await backend.getAcl({ kind: 'object', bucket: 'acls', name: 'o' }), projectPrivate);

  await backend.setAcl({ kind: 'object', bucket: 'acls', name: 'o' }, 'authenticated-read');
  t.deepEqual((await backend.getAcl({ kind: 'object', bucket: 'acls', name: 'o' })).entries, [
    { scope: { type: 'UserById', id: 'owner-id' }, permission: 'FULL_CONTROL' },
    { scope: { type: 'AllAuthenticatedUsers' }, permission: 'READ' },
  ]);
  const e = await t.throwsAsync(
    backend.setAcl({ kind: 'object', bucket: 'acls', name: 'o' }, 'public-read-write'),
  );
  t.true(isStorageError(e, 'invalid-argument'));
  await backend.setAcl({ kind: 'bucket', bucket: 'acls' }, 'public-read-write');
  t.is(
    (await backend.getAcl({ kind: 'bucket', bucket: 'acls' })).entries.filter(
      (x) => x.scope.type === 'AllUsers',
    ).length,
    2,
  );

  await backend.setAcl({ kind: 'default-object', bucket: 'acls' }, 'private');
  await backend.writeObject('acls', 'p', Buffer.from('x'));
  t.deepEqual((await backend.getAcl({ kind: 'object', bucket: 'acls', name: 'p' })).entries, [
    { scope: { type: 'UserById', id: 'owner-id' }, permission: 'FULL_CONTROL' },
  ]);
});

test('listBuckets is per project', async (t) => {
  const backend = new MemoryBackend({ project: 'p1' });
  await backend.createBucket('in-p1');
  await backend.createBucket('in-p2', { project: 'p2' });
  t.deepEqual(
    (await backend.listBuckets()).map((b) => b.name),
    ['in-p1'],
  );
  t.deepEqual(
    (await backend.listBuckets({ project: 'p2' })).map((b) => b.name),
    ['in-p2'],
  );
});

test('returned metadata and bytes are copies', async (t) => {
  const backend = new MemoryBackend();
  await backend.createBucket('copies');
  const source = Buffer.from('abc');
  const meta = await backend.writeObject('copies', 'o', source, { metadata: { k: 'v' } });
  source.write('zzz');
  meta.metadata.k = 'changed';
  const read = await readAll((await backend.readObject('copies', 'o')).body);
  t.is(read.toString(), 'abc');
  read.write('yyy');
  t.is((await readAll((await backend.readObject('copies', 'o')).body)).toString(), 'abc');
  t.deepEqual((await backend.statObject('copies', 'o')).metadata, { k: 'v' });
});

test('custom metadata over 8 KiB is too-large; a short stream source is an integrity failure', async (t) => {
  const backend = new MemoryBackend();
  await backend.createBucket('limits');
  const big = await t.throwsAsync(
    backend.writeObject('limits', 'o', Buffer.from('x'), { metadata: { k: 'v'.repeat(8192) } }),
  );
  t.true(isStorageError(big, 'too-large'));
  const { Readable } = await import('node:stream');
  const short = await t.throwsAsync(
    backend.writeObject('limits', 'o', { size: 10, open: () => Readable.from([Buffer.from('12345')]) }),
  );
  t.true(isStorageError(short, 'integrity'));
  t.true(isStorageError(await t.throwsAsync(backend.statObject('limits', 'o')), 'not-found'));
});

test('page tokens are opaque but validated; page size is 1..1000', async (t) => {
  const backend = new MemoryBackend();
  await backend.createBucket('pages');
  await backend.writeObject('pages', 'a', Buffer.from('a'));
  t.true(
    isStorageError(
      await t.throwsAsync(backend.listPage('pages', { pageToken: 'garbage' })),
      'invalid-argument',
    ),
  );
  t.true(isStorageError(await t.throwsAsync(backend.listPage('pages', { pageSize: 0 })), 'invalid-argument'));
  t.true(
    isStorageError(await t.throwsAsync(backend.listPage('pages', { pageSize: 1001 })), 'invalid-argument'),
  );
  t.deepEqual((await collect(backend, 'pages')).objects, ['a']);
});

test('copying onto itself without replacement metadata is refused, as the service does', async (t) => {
  const backend = new MemoryBackend();
  await backend.createBucket('self');
  await backend.writeObject('self', 'o', Buffer.from('a'));
  const e = await t.throwsAsync(
    backend.copyObject({ bucket: 'self', name: 'o' }, { bucket: 'self', name: 'o' }),
  );
  t.true(isStorageError(e, 'invalid-argument'));
});

test('aborting a read destroys the body with aborted', async (t) => {
  const backend = new MemoryBackend();
  await backend.createBucket('abort');
  await backend.writeObject('abort', 'big', Buffer.alloc(1 << 20));
  const ac = new AbortController();
  const { body } = await backend.readObject('abort', 'big', { signal: ac.signal });
  ac.abort();
  const e = await t.throwsAsync(readAll(body));
  t.true(isStorageError(e, 'aborted'));
});

test('project team ids are those the emulator derives (sha256 of kind:project)', (t) => {
  const { createHash } = crypto;
  const expected = `00b4903a97${createHash('sha256').update('project-viewers:proj').digest('hex').slice(0, 54)}`;
  t.is(projectTeams('proj').viewers, expected);
});
