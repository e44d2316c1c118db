import test from 'ava';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { hashBuffer } from '../../../storage/checksums.js';
import { isStorageError } from '../../../storage/errors.js';
import { Growing } from '../../helpers/growing-source.js';
import { bytes, readAll, setup } from './helpers/setup.js';

const MiB = 1024 * 1024;

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/** Waits (up to 10 s) for a condition the upload reaches in the background. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await tick();
}

/** Counts the session's chunk PUTs and DELETEs (latency=0 rules fire and do nothing else). */
function counters(
  emu: Awaited<ReturnType<typeof setup>>['emu'],
  name: string,
): () => { puts: number; deletes: number } {
  emu.faults.set(
    parseFaultSpec(
      `methods=PUT,path=/test-bucket/${name},query=upload_id,latency=0;` +
        `methods=DELETE,path=/test-bucket/${name},query=upload_id,latency=0`,
    ),
  );
  return () => {
    const [puts, deletes] = emu.faults.state().rules;
    return { puts: puts?.fired ?? 0, deletes: deletes?.fired ?? 0 };
  };
}

test('a growing source is sent as it grows (bytes a-b/*), the last chunk gives the total', async (t) => {
  const { emu, backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } },
  });
  const count = counters(emu, 'g');
  const data = bytes(5 * MiB + 123, 5);
  const source = new Growing();
  const writing = backend.writeObject(bucket, 'g', source, {
    contentType: 'application/x-g',
    metadata: { k: 'v' },
  });
  source.append(data.subarray(0, 3 * MiB + 10));
  await until(() => count().puts >= 3);
  await tick();
  // Three whole chunks are on the store before the writer has finished (or said how much it writes).
  t.is(count().puts, 3);
  t.true(isStorageError(await t.throwsAsync(backend.statObject(bucket, 'g')), 'not-found'));
  source.append(data.subarray(3 * MiB + 10));
  await until(() => count().puts >= 5);
  t.is(count().puts, 5);
  source.end();
  const meta = await writing;
  t.is(count().puts, 6); // the last 123 bytes, with the total
  t.is(meta.size, data.length);
  const h = hashBuffer(data);
  t.is(meta.crc32c, h.crc32c);
  t.is(meta.md5, h.md5);
  t.is(meta.contentType, 'application/x-g');
  t.deepEqual(meta.metadata, { k: 'v' });
  t.true((await readAll((await backend.readObject(bucket, 'g')).body)).equals(data));
  // Each byte was read from the source once (the next chunk ahead of the wire, never twice).
  t.deepEqual(
    [...new Set(source.reads)].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5].map((i) => i * MiB),
  );
});

test('a source that ends on a chunk boundary is finished with bytes */N (no empty chunk, no second object)', async (t) => {
  const { emu, backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } },
  });
  const count = counters(emu, 'e');
  const data = bytes(2 * MiB, 6);
  const source = new Growing();
  const writing = backend.writeObject(bucket, 'e', source, { ifGenerationMatch: '0' });
  source.append(data);
  await until(() => count().puts >= 2);
  await tick();
  t.is(count().puts, 2);
  source.end();
  const meta = await writing;
  t.is(count().puts, 3);
  t.is(meta.size, data.length);
  t.is(meta.md5, hashBuffer(data).md5);
  t.true((await readAll((await backend.readObject(bucket, 'e')).body)).equals(data));
});

test('a chunk cut mid-request is resumed from the server Range, re-read from the source', async (t) => {
  const { emu, backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: 2 * MiB } },
  });
  emu.faults.set(
    parseFaultSpec(
      'methods=PUT,path=/test-bucket/r,query=upload_id,times=1,latency=0;' +
        'methods=PUT,path=/test-bucket/r,query=upload_id,times=1,reset-request=1536KiB',
    ),
  );
  const data = bytes(7 * MiB + 99, 7);
  const source = new Growing();
  const writing = backend.writeObject(bucket, 'r', source, { ifGenerationMatch: '0' });
  source.append(data.subarray(0, 5 * MiB));
  await tick();
  source.append(data.subarray(5 * MiB));
  source.end();
  const meta = await writing;
  t.is(meta.crc32c, hashBuffer(data).crc32c);
  t.true((await readAll((await backend.readObject(bucket, 'r')).body)).equals(data));
  t.true(source.reads.filter((o) => o === 2 * MiB).length >= 2, JSON.stringify(source.reads));
});

test('an abort cancels the session (DELETE) and leaves no object', async (t) => {
  const { emu, backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } },
  });
  const count = counters(emu, 'a');
  const controller = new AbortController();
  const source = new Growing();
  const writing = backend.writeObject(bucket, 'a', source, { signal: controller.signal });
  source.append(bytes(2 * MiB + 5));
  await until(() => count().puts >= 2);
  controller.abort();
  t.true(isStorageError(await t.throwsAsync(writing), 'aborted'));
  await until(() => count().deletes >= 1);
  t.is(count().deletes, 1);
  t.true(isStorageError(await t.throwsAsync(backend.statObject(bucket, 'a')), 'not-found'));
});

test('the generation precondition holds at the end: an object written meanwhile is not replaced', async (t) => {
  const { backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } },
  });
  const source = new Growing();
  const writing = backend.writeObject(bucket, 'p', source, { ifGenerationMatch: '0' });
  source.append(bytes(MiB + 1));
  await tick();
  await backend.writeObject(bucket, 'p', Buffer.from('someone else'));
  source.end();
  t.true(isStorageError(await t.throwsAsync(writing), 'precondition-failed'));
  t.is((await readAll((await backend.readObject(bucket, 'p')).body)).toString(), 'someone else');
});

test('a streamed upload tells onProgress its session, then each offset the store confirmed', async (t) => {
  const { backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } },
  });
  const data = bytes(3 * MiB + 7, 9);
  const source = new Growing();
  const told: { session: string; persisted: number }[] = [];
  const writing = backend.writeObject(bucket, 'p', source, {
    resumable: { onProgress: (p) => void told.push(p) },
  });
  source.append(data);
  source.end();
  const meta = await writing;
  t.is(meta.size, data.length);
  t.deepEqual(
    told.map((p) => p.persisted),
    [0, MiB, 2 * MiB, 3 * MiB],
  );
  t.true(told.every((p) => p.session === told[0]?.session && /upload_id=/.test(p.session)));
});

test('cancelUpload: a session cancelled is gone (its status is a 404); cancelling again is no error', async (t) => {
  const { backend, bucket } = await setup(t, {
    backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } },
  });
  const source = new Growing();
  let session: string | undefined;
  const controller = new AbortController();
  const writing = backend.writeObject(bucket, 'c', source, {
    signal: controller.signal,
    resumable: { onProgress: (p) => void (session ??= p.session) },
  });
  writing.catch(() => undefined);
  source.append(bytes(MiB + 5, 3));
  await until(() => session !== undefined);
  await backend.cancelUpload(bucket, 'c', session ?? '');
  await backend.cancelUpload(bucket, 'c', session ?? '');
  const status = await fetch(session ?? '', { method: 'PUT', headers: { 'content-range': 'bytes */*' } });
  t.is(status.status, 404);
  controller.abort();
  await t.throwsAsync(writing);
});
