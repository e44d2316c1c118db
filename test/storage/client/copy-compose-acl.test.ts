import test from 'ava';
import { isStorageError } from '../../../storage/errors.js';
import type { ObjectMeta } from '../../../storage/types.js';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { put } from '../../helpers/emulator.js';
import { bytes, readAll, setup } from './helpers/setup.js';

test('copy keeps metadata (COPY) or replaces it (REPLACE), always a new generation', async (t) => {
  const { backend, bucket } = await setup(t);
  const src = await backend.writeObject(bucket, 'src', Buffer.from('data'), {
    contentType: 'text/x-src',
    metadata: { k: 'v' },
  });
  const copied = await backend.copyObject({ bucket, name: 'src' }, { bucket, name: 'dst' });
  t.is(copied.name, 'dst');
  t.is(copied.contentType, 'text/x-src');
  t.deepEqual(copied.metadata, { k: 'v' });
  t.is(copied.size, 4);
  t.is(copied.crc32c, src.crc32c);
  const replaced = await backend.copyObject(
    { bucket, name: 'src' },
    { bucket, name: 'dst' },
    {
      replaceMetadata: { contentType: 'text/x-new', metadata: { n: '1' } },
      ifGenerationMatch: copied.generation,
    },
  );
  t.not(replaced.generation, copied.generation);
  t.is(replaced.contentType, 'text/x-new');
  t.deepEqual(replaced.metadata, { n: '1' });
  t.is((await readAll((await backend.readObject(bucket, 'dst')).body)).toString(), 'data');
  const stale = await t.throwsAsync(
    backend.copyObject(
      { bucket, name: 'src' },
      { bucket, name: 'dst' },
      { ifGenerationMatch: copied.generation },
    ),
  );
  t.true(isStorageError(stale, 'precondition-failed'));
  const missing = await t.throwsAsync(backend.copyObject({ bucket, name: 'nope' }, { bucket, name: 'x' }));
  t.true(isStorageError(missing, 'not-found'));
  const gone = await t.throwsAsync(
    backend.copyObject({ bucket, name: 'src' }, { bucket, name: 'y' }, { sourceGeneration: '1' }),
  );
  t.true(isStorageError(gone, 'not-found'));
});

test('compose concatenates in order into a composite object with crc32c and no md5', async (t) => {
  const { backend, bucket } = await setup(t);
  const parts = [bytes(1000, 1), bytes(2000, 2), bytes(3, 3)];
  const metas: ObjectMeta[] = [];
  for (const [i, p] of parts.entries()) metas.push(await backend.writeObject(bucket, `part/${i}`, p));
  const composed = await backend.composeObject(
    bucket,
    'whole',
    parts.map((_, i) => ({ name: `part/${i}`, generation: metas[i]?.generation ?? '' })),
    { contentType: 'application/x-whole', metadata: { c: 'd' } },
  );
  t.is(composed.size, 3003);
  t.is(composed.componentCount, 3);
  t.is(composed.md5, undefined);
  t.truthy(composed.crc32c);
  t.is(composed.contentType, 'application/x-whole');
  t.deepEqual(composed.metadata, { c: 'd' });
  t.true((await readAll((await backend.readObject(bucket, 'whole')).body)).equals(Buffer.concat(parts)));
  const tooMany = await t.throwsAsync(
    backend.composeObject(
      bucket,
      'x',
      Array.from({ length: 33 }, () => ({ name: 'part/0' })),
    ),
  );
  t.true(isStorageError(tooMany, 'invalid-argument'));
  const pre = await t.throwsAsync(
    backend.composeObject(bucket, 'whole', [{ name: 'part/0' }], { ifGenerationMatch: '0' }),
  );
  t.true(isStorageError(pre, 'precondition-failed'));
});

test('updateObjectMetadata replaces metadata, keeps content, makes a new generation', async (t) => {
  const { backend, bucket } = await setup(t);
  const before = await backend.writeObject(bucket, 'm', Buffer.from('content'), {
    contentType: 'text/plain',
    metadata: { mode: '644', mtime: '1' },
  });
  const after = await backend.updateObjectMetadata(bucket, 'm', {
    contentType: 'text/plain',
    metadata: { mode: '600' },
  });
  t.not(after.generation, before.generation);
  t.deepEqual(after.metadata, { mode: '600' });
  t.is(after.crc32c, before.crc32c);
  t.is(after.size, before.size);
  t.is((await readAll((await backend.readObject(bucket, 'm')).body)).toString(), 'content');
  const stale = await t.throwsAsync(
    backend.updateObjectMetadata(bucket, 'm', { metadata: {} }, { ifGenerationMatch: before.generation }),
  );
  t.true(isStorageError(stale, 'precondition-failed'));
  const meta = await t.throwsAsync(
    backend.updateObjectMetadata(bucket, 'm', { metadata: {} }, { ifMetagenerationMatch: '7' }),
  );
  t.true(isStorageError(meta, 'precondition-failed'));
  const missing = await t.throwsAsync(backend.updateObjectMetadata(bucket, 'nope', { metadata: {} }));
  t.true(isStorageError(missing, 'not-found'));
});

test('object ACL round trip: document and canned; metageneration increases', async (t) => {
  const { backend, bucket } = await setup(t);
  const w = await backend.writeObject(bucket, 'acl', Buffer.from('x'));
  const initial = await backend.getAcl({ kind: 'object', bucket, name: 'acl' });
  t.true(initial.entries.length > 0);
  const entries = [
    ...initial.entries,
    { scope: { type: 'UserByEmail' as const, email: 'a@example.com' }, permission: 'READ' as const },
  ];
  await backend.setAcl({ kind: 'object', bucket, name: 'acl' }, { ...initial, entries });
  const back = await backend.getAcl({ kind: 'object', bucket, name: 'acl' });
  t.true(
    back.entries.some(
      (e) => e.scope.type === 'UserByEmail' && e.scope.email === 'a@example.com' && e.permission === 'READ',
    ),
  );
  const stat = await backend.statObject(bucket, 'acl');
  t.is(stat.generation, w.generation);
  t.is(stat.metageneration, '2');
  await backend.setAcl({ kind: 'object', bucket, name: 'acl' }, 'public-read', {
    ifMetagenerationMatch: '2',
  });
  const pub = await backend.getAcl({ kind: 'object', bucket, name: 'acl' });
  t.true(pub.entries.some((e) => e.scope.type === 'AllUsers' && e.permission === 'READ'));
  const stale = await t.throwsAsync(
    backend.setAcl({ kind: 'object', bucket, name: 'acl' }, 'private', { ifMetagenerationMatch: '2' }),
  );
  t.true(isStorageError(stale, 'precondition-failed'));
});

test('bucket and default object ACLs round trip', async (t) => {
  const { backend, bucket } = await setup(t);
  await backend.setAcl({ kind: 'bucket', bucket }, 'public-read');
  const b = await backend.getAcl({ kind: 'bucket', bucket });
  t.true(b.entries.some((e) => e.scope.type === 'AllUsers' && e.permission === 'READ'));
  await backend.setAcl({ kind: 'default-object', bucket }, 'public-read');
  const d = await backend.getAcl({ kind: 'default-object', bucket });
  t.true(d.entries.some((e) => e.scope.type === 'AllUsers' && e.permission === 'READ'));
  const o = await backend.writeObject(bucket, 'inherits', Buffer.from('x'));
  t.truthy(o);
  const oa = await backend.getAcl({ kind: 'object', bucket, name: 'inherits' });
  t.true(oa.entries.some((e) => e.scope.type === 'AllUsers'));
});

test('buckets: create, list sorted, head, not-empty, delete, already-exists, invalid name', async (t) => {
  const { backend } = await setup(t, { bucket: false });
  await backend.createBucket('zeta-bucket');
  await backend.createBucket('alpha-bucket', { location: 'EU', storageClass: 'NEARLINE' });
  const list = await backend.listBuckets();
  t.deepEqual(
    list.map((b) => b.name),
    ['alpha-bucket', 'zeta-bucket'],
  );
  t.true(list.every((b) => b.created.getTime() > 0));
  await backend.headBucket('alpha-bucket');
  t.true(isStorageError(await t.throwsAsync(backend.createBucket('alpha-bucket')), 'already-exists'));
  t.true(isStorageError(await t.throwsAsync(backend.createBucket('Bad_Name!')), 'invalid-name'));
  await backend.writeObject('alpha-bucket', 'x', Buffer.from('x'));
  t.true(isStorageError(await t.throwsAsync(backend.deleteBucket('alpha-bucket')), 'bucket-not-empty'));
  await backend.deleteObject('alpha-bucket', 'x');
  await backend.deleteBucket('alpha-bucket');
  t.true(isStorageError(await t.throwsAsync(backend.headBucket('alpha-bucket')), 'bucket-not-found'));
  t.true(isStorageError(await t.throwsAsync(backend.deleteBucket('alpha-bucket')), 'bucket-not-found'));
  t.deepEqual(await backend.listBuckets({ project: 'other-project' }), []);
});

test('updateObjectMetadata racing an overwrite applies to the new content, never resurrects the old', async (t) => {
  const { emu, backend, bucket } = await setup(t);
  await backend.writeObject(bucket, 'race', Buffer.from('old content'));
  // The copy-to-self is held back while another writer replaces the object.
  emu.faults.set(parseFaultSpec(`methods=PUT,path=/${bucket}/race,times=1,latency=300ms`));
  const update = backend.updateObjectMetadata(bucket, 'race', { metadata: { mode: '600' } });
  while (emu.faults.state().rules[0]?.fired !== 1) await new Promise((r) => setImmediate(r));
  const overwrite = await put(emu, bucket, 'race', 'new content');
  t.is(overwrite.status, 200);
  const meta = await update;
  t.deepEqual(meta.metadata, { mode: '600' });
  t.is((await readAll((await backend.readObject(bucket, 'race')).body)).toString(), 'new content');
  const pinned = backend.updateObjectMetadata(bucket, 'race', { metadata: {} }, { ifGenerationMatch: '1' });
  t.true(isStorageError(await t.throwsAsync(pinned), 'precondition-failed'));
});
