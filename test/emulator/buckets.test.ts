import test from 'ava';
import { bucket, emulator, errorCode, put } from '../helpers/emulator.js';

test('creates, lists, heads and deletes buckets', async (t) => {
  const emu = await emulator(t);
  await bucket(emu, 'cats-a');
  await bucket(emu, 'dogs-b');
  const list = await (await emu.call('/')).text();
  t.regex(
    list,
    /^<\?xml version='1.0' encoding='UTF-8'\?><ListAllMyBucketsResult xmlns='http:\/\/doc.s3.amazonaws.com\/2006-03-01'>/,
  );
  t.true(list.indexOf('<Name>cats-a</Name>') < list.indexOf('<Name>dogs-b</Name>'));
  t.is((await emu.call('/cats-a', { method: 'HEAD' })).status, 200);
  t.is((await emu.call('/nope-x', { method: 'HEAD' })).status, 404);
  t.is((await emu.call('/cats-a', { method: 'DELETE' })).status, 204);
  t.is((await emu.call('/cats-a', { method: 'HEAD' })).status, 404);
});

test('lists only the buckets of the requested project', async (t) => {
  const emu = await emulator(t);
  await emu.call('/other-one', { method: 'PUT', headers: { 'x-goog-project-id': 'other' } });
  await bucket(emu, 'mine-one');
  const mine = await (await emu.call('/')).text();
  t.true(mine.includes('mine-one'));
  t.false(mine.includes('other-one'));
  const other = await (await emu.call('/', { headers: { 'x-goog-project-id': 'other' } })).text();
  t.true(other.includes('other-one'));
});

test('bucket creation errors: invalid name, already owned', async (t) => {
  const emu = await emulator(t);
  for (const name of ['ab', 'Upper', 'goog-x', 'has-google', '192.168.1.1', '-dash', 'a'.repeat(64)]) {
    const res = await emu.call(`/${name}`, { method: 'PUT' });
    t.is(res.status, 400, name);
    t.is(errorCode(await res.text()), 'InvalidBucketName', name);
  }
  await bucket(emu, 'twice');
  const again = await emu.call('/twice', { method: 'PUT' });
  t.is(again.status, 409);
  t.is(errorCode(await again.text()), 'BucketAlreadyOwnedByYou');
});

test('accepts a CreateBucketConfiguration body and answers location and storage class', async (t) => {
  const emu = await emulator(t);
  const body =
    '<CreateBucketConfiguration><LocationConstraint>eu</LocationConstraint><StorageClass>nearline</StorageClass></CreateBucketConfiguration>';
  t.is((await emu.call('/configured', { method: 'PUT', body })).status, 200);
  t.regex(
    await (await emu.call('/configured?location')).text(),
    /<LocationConstraint>EU<\/LocationConstraint>/,
  );
  t.regex(
    await (await emu.call('/configured?storageClass')).text(),
    /<StorageClass>NEARLINE<\/StorageClass>/,
  );
});

test('a bucket with objects cannot be deleted; a missing one is NoSuchBucket', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'x', 'data');
  const res = await emu.call(`/${b}`, { method: 'DELETE' });
  t.is(res.status, 409);
  t.is(errorCode(await res.text()), 'BucketNotEmpty');
  const missing = await emu.call('/no-such-bucket', { method: 'DELETE' });
  t.is(missing.status, 404);
  t.is(errorCode(await missing.text()), 'NoSuchBucket');
});

test('stores configuration sub-resources verbatim and refuses versioning it cannot keep', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const cors =
    '<?xml version="1.0" encoding="UTF-8"?><CorsConfig><Cors><Origins><Origin>https://x</Origin></Origins></Cors></CorsConfig>';
  t.is((await emu.call(`/${b}?cors`, { method: 'PUT', body: cors })).status, 200);
  t.is(await (await emu.call(`/${b}?cors`)).text(), cors);
  t.regex(
    await (await emu.call(`/${b}?lifecycle`)).text(),
    /<LifecycleConfiguration><\/LifecycleConfiguration>/,
  );
  const v = await emu.call(`/${b}?versioning`, {
    method: 'PUT',
    body: '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>',
  });
  t.is(v.status, 501);
});
