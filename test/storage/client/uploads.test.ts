import test from 'ava';
import { Readable } from 'node:stream';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { hashBuffer } from '../../../storage/checksums.js';
import { isStorageError } from '../../../storage/errors.js';
import { bytes, readAll, setup } from './helpers/setup.js';

const MiB = 1024 * 1024;

function streamSource(
  data: Buffer,
  chunk = 1024 * 1024,
): { size: number; open(offset: number): Readable; opens: number[] } {
  const opens: number[] = [];
  return {
    size: data.length,
    opens,
    open(offset) {
      opens.push(offset);
      const parts: Buffer[] = [];
      // Odd-sized pieces so chunk boundaries never line up with the source's.
      for (let at = offset; at < data.length; at += chunk - 7)
        parts.push(data.subarray(at, Math.min(data.length, at + chunk - 7)));
      return Readable.from(parts);
    },
  };
}

test('a 40 MiB upload goes resumable and reads back byte for byte, with both hashes', async (t) => {
  const { emu, backend, bucket } = await setup(t);
  const data = bytes(40 * MiB, 3);
  emu.faults.set(
    parseFaultSpec(
      'methods=POST,path=/test-bucket/big,latency=0;methods=PUT,path=/test-bucket/big,latency=0',
    ),
  );
  const meta = await backend.writeObject(bucket, 'big', data, {
    contentType: 'application/x-big',
    metadata: { k: 'v' },
  });
  const rules = emu.faults.state().rules;
  t.is(rules[0]?.fired, 1); // one resumable start
  t.is(rules[1]?.fired, 3); // 16 + 16 + 8 MiB
  t.is(meta.size, data.length);
  const expected = hashBuffer(data);
  t.is(meta.crc32c, expected.crc32c);
  t.is(meta.md5, expected.md5);
  t.is(meta.contentType, 'application/x-big');
  t.deepEqual(meta.metadata, { k: 'v' });
  const read = await backend.readObject(bucket, 'big');
  t.true((await readAll(read.body)).equals(data));
  const mid = await backend.readObject(bucket, 'big', { range: { start: 17 * MiB - 3, end: 33 * MiB + 5 } });
  t.true((await readAll(mid.body)).equals(data.subarray(17 * MiB - 3, 33 * MiB + 6)));
});

test('resumable: a chunk cut mid-request resumes from the server Range, reopening the source there', async (t) => {
  const { emu, backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: 2 * MiB } },
  });
  const data = bytes(9 * MiB + 12345, 4);
  const source = streamSource(data);
  // The second chunk PUT is cut after 1.5 MiB of its body: the server keeps nothing of it.
  emu.faults.set(
    parseFaultSpec('methods=PUT,path=/test-bucket/r,query=upload_id,times=1,reset-request=1536KiB'),
  );
  emu.faults.set(
    parseFaultSpec(
      'methods=PUT,path=/test-bucket/r,query=upload_id,times=1,status=503;' +
        'methods=PUT,path=/test-bucket/r,query=upload_id,times=1,reset-request=1536KiB',
    ),
  );
  const meta = await backend.writeObject(bucket, 'r', source, { ifGenerationMatch: '0' });
  t.is(meta.size, data.length);
  t.is(meta.crc32c, hashBuffer(data).crc32c);
  t.true((await readAll((await backend.readObject(bucket, 'r')).body)).equals(data));
  t.is(source.opens[0], 0);
  t.true(source.opens.length >= 2, JSON.stringify(source.opens));
  t.true(source.opens.slice(1).every((o) => o % (256 * 1024) === 0));
});

test('resumable: a lost final answer is recovered by status query (or adoption), not a second object', async (t) => {
  const { emu, backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } },
  });
  const data = bytes(3 * MiB, 8);
  const before = await backend.writeObject(bucket, 'f', Buffer.from('old'));
  // Chunks 1 and 2 pass; the third (final) is committed but its response is lost.
  emu.faults.set(
    parseFaultSpec(
      'methods=PUT,path=/test-bucket/f,query=upload_id,times=2,latency=0;' +
        'methods=PUT,path=/test-bucket/f,query=upload_id,times=1,reset=1',
    ),
  );
  const meta = await backend.writeObject(bucket, 'f', data, { ifGenerationMatch: before.generation });
  t.not(meta.generation, before.generation);
  t.is(meta.size, data.length);
  t.true((await readAll((await backend.readObject(bucket, 'f')).body)).equals(data));
});

test('resumable: precondition failure at start is reported and nothing is written', async (t) => {
  const { backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } },
  });
  await backend.writeObject(bucket, 'p', Buffer.from('x'));
  const e = await t.throwsAsync(backend.writeObject(bucket, 'p', bytes(2 * MiB), { ifGenerationMatch: '0' }));
  t.true(isStorageError(e, 'precondition-failed'));
  t.is((await backend.statObject(bucket, 'p')).size, 1);
});

test('resumable: abort mid-upload rejects with aborted and leaves no object', async (t) => {
  const { backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } },
  });
  const controller = new AbortController();
  const data = bytes(8 * MiB);
  function* pieces(offset: number): Generator<Buffer> {
    for (let at = offset; at < data.length; at += MiB) {
      // Once two chunks have gone out, the caller gives up.
      if (at >= offset + 2 * MiB) controller.abort();
      yield data.subarray(at, at + MiB);
    }
  }
  const source = { size: data.length, open: (offset: number) => Readable.from(pieces(offset)) };
  const e = await t.throwsAsync(backend.writeObject(bucket, 'a', source, { signal: controller.signal }));
  t.true(isStorageError(e, 'aborted'), String(e));
  t.true(isStorageError(await t.throwsAsync(backend.statObject(bucket, 'a')), 'not-found'));
});

test('single PUT cut mid-body is resent whole under its precondition', async (t) => {
  const { emu, backend, bucket } = await setup(t);
  emu.faults.set(parseFaultSpec('methods=PUT,path=/test-bucket/h,times=1,reset-request=1000'));
  const data = bytes(100_000);
  const meta = await backend.writeObject(bucket, 'h', data, { ifGenerationMatch: '0' });
  t.is(meta.md5, hashBuffer(data).md5);
});

// The final attempt's answer lost (maxAttempts: 1 makes the first attempt the last): the store is asked.

test('single PUT whose final answer is lost resolves to the metadata of the object it wrote', async (t) => {
  const { emu, backend, bucket } = await setup(t, { backend: { retry: { maxAttempts: 1 } } });
  const before = await backend.writeObject(bucket, 'l', Buffer.from('old'));
  emu.faults.set(
    parseFaultSpec(
      'methods=PUT,path=/test-bucket/l,times=1,reset=1;methods=HEAD,path=/test-bucket/l,latency=0',
    ),
  );
  const data = bytes(5000, 2);
  const meta = await backend.writeObject(bucket, 'l', data, {
    ifGenerationMatch: before.generation,
    contentType: 'text/x-lost',
    metadata: { k: 'v' },
  });
  t.not(meta.generation, before.generation);
  t.is(meta.size, data.length);
  t.is(meta.crc32c, hashBuffer(data).crc32c);
  t.is(meta.contentType, 'text/x-lost');
  t.deepEqual(meta.metadata, { k: 'v' });
  t.is(emu.faults.state().rules[1]?.fired, 1, 'one HEAD settles it');
  t.is((await backend.statObject(bucket, 'l')).generation, meta.generation);
});

test('single PUT whose final answer is lost and whose precondition had failed still fails', async (t) => {
  const { emu, backend, bucket } = await setup(t, { backend: { retry: { maxAttempts: 1 } } });
  const before = await backend.writeObject(bucket, 'l', Buffer.from('old'));
  await backend.writeObject(bucket, 'l', Buffer.from('theirs'));
  // The server answers 412 (someone else wrote since `before`), and that answer is cut.
  emu.faults.set(parseFaultSpec('methods=PUT,path=/test-bucket/l,times=1,reset=1'));
  const e = await t.throwsAsync(
    backend.writeObject(bucket, 'l', Buffer.from('ours'), { ifGenerationMatch: before.generation }),
  );
  t.true(isStorageError(e, 'network'), String(e));
  t.is((await backend.statObject(bucket, 'l')).size, 'theirs'.length);
});

test('single PUT whose final answer is lost after the same bytes were already there, under its precondition, is not adopted', async (t) => {
  const { emu, backend, bucket } = await setup(t, { backend: { retry: { maxAttempts: 1 } } });
  const before = await backend.writeObject(bucket, 'l', Buffer.from('same'));
  // Our PUT never reaches the handler; the live object has our bytes but is the precondition's generation.
  emu.faults.set(parseFaultSpec('methods=PUT,path=/test-bucket/l,times=1,reset-request=0'));
  const e = await t.throwsAsync(
    backend.writeObject(bucket, 'l', Buffer.from('same'), { ifGenerationMatch: before.generation }),
  );
  t.true(isStorageError(e, 'network'), String(e));
});

test('resumable: a final chunk whose answer is lost is settled by one session status query', async (t) => {
  const { emu, backend, bucket } = await setup(t, {
    backend: { retry: { maxAttempts: 1 }, uploadThresholds: { singleRequestMax: 1024, chunkSize: MiB } },
  });
  const data = bytes(300_000, 6);
  emu.faults.set(
    parseFaultSpec(
      'methods=PUT,path=/test-bucket/s,query=upload_id,times=1,reset=1;' +
        'methods=PUT,path=/test-bucket/s,query=upload_id,latency=0',
    ),
  );
  const meta = await backend.writeObject(bucket, 's', data, { ifGenerationMatch: '0' });
  t.is(meta.size, data.length);
  t.is(meta.md5, hashBuffer(data).md5);
  t.is(emu.faults.state().rules[1]?.fired, 2, 'the chunk, then one status query');
  t.true((await readAll((await backend.readObject(bucket, 's')).body)).equals(data));
});
