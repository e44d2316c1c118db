import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { AnonymousCredentials } from '../../../storage/auth/anonymous.js';
import { XmlApiBackend } from '../../../storage/client/xml-api-backend.js';
import { isStorageError } from '../../../storage/errors.js';
import { bytes, readAll, setup } from './helpers/setup.js';

test('write, stat and read back an object with metadata', async (t) => {
  const { backend, bucket } = await setup(t);
  const meta = await backend.writeObject(bucket, 'dir/a b+c', Buffer.from('hello world'), {
    contentType: 'text/plain',
    cacheControl: 'no-cache',
    metadata: { Mtime: '1704456000', owner: 'me' },
  });
  t.is(meta.size, 11);
  t.is(meta.crc32c, 'yZRlqg==');
  t.is(meta.md5, 'XrY7u+Ae7tCTyyK7j1rNww==');
  t.is(meta.contentType, 'text/plain');
  t.is(meta.cacheControl, 'no-cache');
  t.deepEqual(meta.metadata, { mtime: '1704456000', owner: 'me' });
  t.is(meta.metageneration, '1');
  t.regex(meta.generation, /^\d+$/);
  t.true(meta.updated.getTime() > 0);
  const stat = await backend.statObject(bucket, 'dir/a b+c');
  // The upload's answer does not name the storage class (the bucket's default); only a HEAD does.
  const { storageClass, ...statRest } = stat;
  t.is(storageClass, 'STANDARD');
  t.deepEqual(statRest, meta);
  const read = await backend.readObject(bucket, 'dir/a b+c');
  t.is(read.generation, meta.generation);
  t.is(read.size, 11);
  t.is((await readAll(read.body)).toString(), 'hello world');
});

test('names with dot segments, double slashes and odd bytes round-trip', async (t) => {
  const { backend, bucket } = await setup(t);
  const names = ['a/./b', 'a/../b', 'x//y', './lead', 'q?x=1#f', 'ünï ☃', "it's (ok)*!", 'per%cent', 'tail/'];
  for (const [i, name] of names.entries()) {
    await backend.writeObject(bucket, name, Buffer.from(String(i)));
  }
  for (const [i, name] of names.entries()) {
    const r = await backend.readObject(bucket, name);
    t.is((await readAll(r.body)).toString(), String(i), name);
  }
  const listed = [];
  for await (const page of backend.list(bucket)) listed.push(...page.objects.map((o) => o.name));
  t.deepEqual(
    listed,
    [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
  );
});

test('ranged reads are byte-exact and clamp at the end', async (t) => {
  const { backend, bucket } = await setup(t);
  const data = bytes(100_000);
  await backend.writeObject(bucket, 'r', data);
  for (const [start, end] of [
    [0, 0],
    [1, 99],
    [65_000, 99_999],
    [99_999, undefined],
    [50_000, 200_000],
  ] as const) {
    const r = await backend.readObject(bucket, 'r', {
      range: end === undefined ? { start } : { start, end },
    });
    const expected = data.subarray(start, end === undefined ? undefined : end + 1);
    t.true((await readAll(r.body)).equals(expected), `${start}-${String(end)}`);
    t.is(r.size, data.length);
  }
  const e = await t.throwsAsync(backend.readObject(bucket, 'r', { range: { start: 100_000 } }));
  t.true(isStorageError(e, 'range-not-satisfiable'));
});

test('0-byte objects read whole without a range; any range is not satisfiable', async (t) => {
  const { backend, bucket } = await setup(t);
  const meta = await backend.writeObject(bucket, 'empty', Buffer.alloc(0));
  t.is(meta.size, 0);
  const r = await backend.readObject(bucket, 'empty');
  t.is((await readAll(r.body)).length, 0);
  const e = await t.throwsAsync(backend.readObject(bucket, 'empty', { range: { start: 0 } }));
  t.true(isStorageError(e, 'range-not-satisfiable'));
});

test('missing objects and buckets have distinct codes', async (t) => {
  const { backend, bucket } = await setup(t);
  for (const op of [
    () => backend.statObject(bucket, 'nope'),
    () => backend.readObject(bucket, 'nope'),
    () => backend.deleteObject(bucket, 'nope'),
  ]) {
    t.true(isStorageError(await t.throwsAsync(op()), 'not-found'));
  }
  for (const op of [
    () => backend.statObject('no-bucket', 'x'),
    () => backend.readObject('no-bucket', 'x'),
    () => backend.writeObject('no-bucket', 'x', Buffer.from('x')),
    () => backend.headBucket('no-bucket'),
    () => backend.listPage('no-bucket'),
  ]) {
    t.true(isStorageError(await t.throwsAsync(op()), 'bucket-not-found'));
  }
});

test('generation preconditions: create-only, compare-and-swap, stale generation', async (t) => {
  const { backend, bucket } = await setup(t);
  const first = await backend.writeObject(bucket, 'p', Buffer.from('1'), { ifGenerationMatch: '0' });
  const e1 = await t.throwsAsync(
    backend.writeObject(bucket, 'p', Buffer.from('2'), { ifGenerationMatch: '0' }),
  );
  t.true(isStorageError(e1, 'precondition-failed'));
  const second = await backend.writeObject(bucket, 'p', Buffer.from('2'), {
    ifGenerationMatch: first.generation,
  });
  t.not(second.generation, first.generation);
  const e2 = await t.throwsAsync(
    backend.writeObject(bucket, 'p', Buffer.from('3'), { ifGenerationMatch: first.generation }),
  );
  t.true(isStorageError(e2, 'precondition-failed'));
  const e3 = await t.throwsAsync(backend.deleteObject(bucket, 'p', { ifGenerationMatch: first.generation }));
  t.true(isStorageError(e3, 'precondition-failed'));
  const e4 = await t.throwsAsync(backend.readObject(bucket, 'p', { generation: first.generation }));
  t.true(isStorageError(e4, 'not-found'));
  await backend.deleteObject(bucket, 'p', { generation: second.generation });
  t.true(isStorageError(await t.throwsAsync(backend.statObject(bucket, 'p')), 'not-found'));
});

test('a stream source is read from offset 0 for a small upload', async (t) => {
  const { backend, bucket } = await setup(t);
  const data = bytes(300_000, 7);
  const offsets: number[] = [];
  const meta = await backend.writeObject(bucket, 's', {
    size: data.length,
    open: (offset) => {
      offsets.push(offset);
      return Readable.from([data.subarray(offset, 1000), data.subarray(Math.max(offset, 1000))]);
    },
  });
  t.deepEqual(offsets, [0]);
  t.is(meta.size, data.length);
  t.true((await readAll((await backend.readObject(bucket, 's')).body)).equals(data));
});

test('a source shorter than its declared size fails and creates nothing', async (t) => {
  const { backend, bucket } = await setup(t);
  const e = await t.throwsAsync(
    backend.writeObject(bucket, 'short', { size: 10, open: () => Readable.from([Buffer.from('abc')]) }),
  );
  t.true(isStorageError(e, 'invalid-argument'));
  t.true(isStorageError(await t.throwsAsync(backend.statObject(bucket, 'short')), 'not-found'));
});

test('an aborted read fails with aborted', async (t) => {
  const { backend, bucket } = await setup(t);
  await backend.writeObject(bucket, 'a', Buffer.from('x'));
  const controller = new AbortController();
  controller.abort();
  const e = await t.throwsAsync(backend.readObject(bucket, 'a', { signal: controller.signal }));
  t.true(isStorageError(e, 'aborted'));
});

test('a gzip-encoded object is read as stored (no transcoding): ranges and hashes hold', async (t) => {
  const { backend, bucket } = await setup(t);
  const gz = gzipSync(Buffer.from('hello hello hello hello'.repeat(100)));
  const meta = await backend.writeObject(bucket, 'z.txt', gz, {
    contentEncoding: 'gzip',
    contentType: 'text/plain',
  });
  t.is(meta.contentEncoding, 'gzip');
  t.is(meta.size, gz.length);
  t.true((await readAll((await backend.readObject(bucket, 'z.txt')).body)).equals(gz));
  const part = await backend.readObject(bucket, 'z.txt', { range: { start: 5, end: 9 } });
  t.true((await readAll(part.body)).equals(gz.subarray(5, 10)));
});

test('a resumed download that ignores its Range fails cleanly: the 200 body is dropped without an uncaught error', async (t) => {
  const size = 4 << 20;
  let gets = 0;
  const server = createServer((_req, res) => {
    gets++;
    const headers = {
      'x-goog-generation': '7',
      'x-goog-metageneration': '1',
      'x-goog-stored-content-length': String(size),
      'content-type': 'application/octet-stream',
    };
    if (gets === 1) {
      // The first answer is cut after 1000 bytes: the client resumes from there.
      res.writeHead(206, {
        ...headers,
        'content-length': size,
        'content-range': `bytes 0-${size - 1}/${size}`,
      });
      res.write(Buffer.alloc(1000), () => res.destroy());
      return;
    }
    // The resume is answered 200, the whole object, and never ends: the client must drop it.
    res.writeHead(200, { ...headers, 'content-length': size });
    res.write(Buffer.alloc(64 * 1024));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const backend = new XmlApiBackend({
    endpoint: `http://127.0.0.1:${port}`,
    credentials: new AnonymousCredentials(),
    project: 'p',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  t.teardown(() => backend.close());
  const { body } = await backend.readObject('b', 'o');
  const err = await t.throwsAsync(readAll(body));
  t.regex(err.message, /ignored its Range/);
  t.is(gets, 2);
  // An error the dropped body emitted without a listener would fail the test as uncaught.
  await new Promise((r) => setTimeout(r, 100));
});
