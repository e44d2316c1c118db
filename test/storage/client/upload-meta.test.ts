import test from 'ava';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { metaFromUpload } from '../../../storage/client/upload-meta.js';
import { bytes, setup } from './helpers/setup.js';

const MiB = 1024 * 1024;

test('an upload costs no HEAD: its metadata equals what a HEAD then says (single PUT and resumable)', async (t) => {
  const { emu, backend, bucket } = await setup(t);
  emu.faults.set(parseFaultSpec('methods=HEAD,latency=0'));
  const small = await backend.writeObject(bucket, 'small', Buffer.from('hello world'), {
    contentType: 'text/plain',
    cacheControl: 'no-cache',
    metadata: { Mode: '644' },
  });
  const big = await backend.writeObject(bucket, 'big', bytes(20 * MiB, 1));
  t.is(emu.faults.state().rules[0]?.fired, 0);
  for (const [name, written] of [
    ['small', small],
    ['big', big],
  ] as const) {
    const head = await backend.statObject(bucket, name);
    // The answer to a PUT does not name the storage class (the bucket's default): only a HEAD tells it.
    const { updated, ...rest } = written;
    const { updated: headUpdated, storageClass, ...headRest } = head;
    t.is(storageClass, 'STANDARD');
    // A private object is served with Cache-Control: private, max-age=0 (spec 1.7) that nobody stored.
    if (rest.cacheControl === undefined && headRest.cacheControl === 'private, max-age=0') {
      delete headRest.cacheControl;
    }
    t.deepEqual(rest, headRest, name);
    t.true(Math.abs(updated.getTime() - headUpdated.getTime()) <= 1000, name);
  }
});

test('without a generation in the answer there is nothing to build from: the caller HEADs', (t) => {
  const sent = { size: 1, hashes: {}, written: {} };
  t.is(metaFromUpload('b', 'o', { etag: '"x"' }, sent), undefined);
  t.is(metaFromUpload('b', 'o', { 'x-goog-generation': 'junk' }, sent), undefined);
});

test('defaults: octet-stream, metageneration 1, the Date header as the update time, keys lower-cased', (t) => {
  const meta = metaFromUpload(
    'b',
    'o',
    { 'x-goog-generation': '42', date: 'Tue, 01 Dec 2026 21:26:19 GMT', 'x-goog-hash': 'crc32c=AAAAAA==' },
    {
      size: 5,
      hashes: { crc32c: 'AAAAAA==', md5: 'XUFAKrxLKna5cZ2REBfFkg==' },
      written: { metadata: { Foo: 'x' } },
    },
  );
  t.like(meta, {
    generation: '42',
    metageneration: '1',
    size: 5,
    contentType: 'application/octet-stream',
    crc32c: 'AAAAAA==',
    md5: 'XUFAKrxLKna5cZ2REBfFkg==',
    metadata: { foo: 'x' },
  });
  t.is(meta?.updated.toISOString(), '2026-12-01T21:26:19.000Z');
  t.is(meta?.storageClass, undefined);
});
