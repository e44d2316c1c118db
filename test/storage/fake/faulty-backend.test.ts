import test from 'ava';
import { isStorageError, StorageError } from '../../../storage/errors.js';
import { FaultyBackend } from '../../../storage/fake/faulty-backend.js';
import { MemoryBackend } from '../../../storage/fake/memory-backend.js';
import { backendContract, collect, readAll } from '../backend-contract.js';

async function setup(): Promise<{ inner: MemoryBackend; faulty: FaultyBackend }> {
  const inner = new MemoryBackend();
  await inner.createBucket('bkt');
  return { inner, faulty: new FaultyBackend(inner) };
}

backendContract('faulty(memory) without rules', async () => {
  const { faulty } = await setup();
  return { backend: faulty, bucket: 'bkt', teardown: () => Promise.resolve() };
});

test('fails the chosen call after letting some through, a given number of times', async (t) => {
  const { faulty } = await setup();
  faulty.addRule({ method: 'statObject', error: 'unavailable', after: 1, times: 2 });
  await faulty.writeObject('bkt', 'o', Buffer.from('x'));
  await t.notThrowsAsync(faulty.statObject('bkt', 'o'));
  for (let i = 0; i < 2; i++) {
    const e = await t.throwsAsync(faulty.statObject('bkt', 'o'));
    t.true(isStorageError(e, 'unavailable'));
    t.is(isStorageError(e) ? e.status : undefined, 503);
  }
  await t.notThrowsAsync(faulty.statObject('bkt', 'o'));
  t.is(faulty.callCount('statObject'), 4);
  t.is(faulty.callCount('writeObject'), 1);
});

test('match narrows a rule; removing it restores service', async (t) => {
  const { faulty } = await setup();
  const remove = faulty.addRule({
    method: '*',
    error: new StorageError('rate-limited', 'slow down'),
    match: (c) => c.args[1] === 'hot',
  });
  await t.notThrowsAsync(faulty.writeObject('bkt', 'cold', Buffer.from('x')));
  t.true(
    isStorageError(await t.throwsAsync(faulty.writeObject('bkt', 'hot', Buffer.from('x'))), 'rate-limited'),
  );
  remove();
  await t.notThrowsAsync(faulty.writeObject('bkt', 'hot', Buffer.from('x')));
});

test("when 'after': the mutation happens but the caller sees the error (a lost response)", async (t) => {
  const { inner, faulty } = await setup();
  faulty.addRule({ method: 'writeObject', error: 'timeout', when: 'after', times: 1 });
  t.true(isStorageError(await t.throwsAsync(faulty.writeObject('bkt', 'o', Buffer.from('x'))), 'timeout'));
  t.is((await inner.statObject('bkt', 'o')).size, 1);
});

test('a read body can be cut short after N bytes', async (t) => {
  const { faulty } = await setup();
  await faulty.writeObject('bkt', 'big', Buffer.alloc(200_000, 7));
  faulty.addRule({ method: 'readObject', error: 'network', bodyFailsAfterBytes: 70_000, times: 1 });
  const { body, size } = await faulty.readObject('bkt', 'big');
  t.is(size, 200_000);
  let got = 0;
  const e = await t.throwsAsync(
    (async () => {
      for await (const chunk of body) got += (chunk as Buffer).length;
    })(),
  );
  t.true(isStorageError(e, 'network'));
  t.is(got, 70_000);
  t.is((await readAll((await faulty.readObject('bkt', 'big')).body)).length, 200_000);
});

test('listing faults apply per page and to the whole iteration', async (t) => {
  const { faulty } = await setup();
  for (const n of ['a', 'b', 'c']) await faulty.writeObject('bkt', n, Buffer.from(n));
  faulty.addRule({ method: 'listPage', error: 'unavailable', after: 1, times: 1 });
  const e = await t.throwsAsync(collect(faulty, 'bkt', { pageSize: 1 }));
  t.true(isStorageError(e, 'unavailable'));
  t.deepEqual((await collect(faulty, 'bkt', { pageSize: 1 })).objects, ['a', 'b', 'c']);
  faulty.clearRules();
  faulty.addRule({ method: 'list', error: 'forbidden', times: 1 });
  t.true(isStorageError(await t.throwsAsync(collect(faulty, 'bkt')), 'forbidden'));
});
