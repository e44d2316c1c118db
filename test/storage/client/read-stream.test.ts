import test from 'ava';
import { Readable } from 'node:stream';
import { hashBuffer } from '../../../storage/checksums.js';
import { isStorageError, StorageError } from '../../../storage/errors.js';
import { resumingBody } from '../../../storage/client/read-stream.js';
import { bytes, readAll } from './helpers/setup.js';

/** A body that yields `data[from..cut)` then fails like a reset connection. */
function cutBody(data: Buffer, from: number, cut: number): Readable {
  return new Readable({
    read() {
      this.push(data.subarray(from, cut));
      this.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    },
  });
}

test('resumes from the byte reached after each cut, and verifies the whole object', async (t) => {
  const data = bytes(10_000);
  const reopened: number[] = [];
  const body = resumingBody({
    first: cutBody(data, 0, 3000),
    start: 0,
    end: data.length,
    expected: hashBuffer(data),
    maxResumes: 5,
    reopen: (offset) => {
      reopened.push(offset);
      return Promise.resolve(
        offset < 6000 ? cutBody(data, offset, 6000) : Readable.from([data.subarray(offset)]),
      );
    },
  });
  t.true((await readAll(body)).equals(data));
  t.deepEqual(reopened, [3000, 6000]);
});

test('a corrupt whole-object body fails the stream with integrity', async (t) => {
  const data = bytes(5000);
  const bad = Buffer.from(data);
  bad[4000] = (bad[4000] ?? 0) ^ 1;
  const body = resumingBody({
    first: Readable.from([bad]),
    start: 0,
    end: data.length,
    expected: hashBuffer(data),
    maxResumes: 1,
    reopen: () => Promise.reject(new Error('not expected')),
  });
  t.true(isStorageError(await t.throwsAsync(readAll(body)), 'integrity'));
});

test('a corrupt whole-object body fails before its last bytes are handed on', async (t) => {
  const data = bytes(5000);
  const bad = Buffer.from(data);
  bad[100] = (bad[100] ?? 0) ^ 1;
  const body = resumingBody({
    first: Readable.from([bad.subarray(0, 4000), bad.subarray(4000)]),
    start: 0,
    end: data.length,
    expected: hashBuffer(data),
    maxResumes: 1,
    reopen: () => Promise.reject(new Error('not expected')),
  });
  let delivered = 0;
  const error = await new Promise<unknown>((resolve) => {
    body.on('data', (c: Buffer) => (delivered += c.length));
    body.on('error', resolve);
    body.on('end', () => resolve(undefined));
  });
  t.true(isStorageError(error, 'integrity'));
  t.true(delivered < data.length, `${delivered} of ${data.length} bytes were handed on before the error`);
});

test('a paused consumer pauses the response; resuming delivers every byte in order', async (t) => {
  const data = bytes(1 << 20);
  let pulled = 0;
  const source = new Readable({
    highWaterMark: 16 * 1024,
    read() {
      if (pulled >= data.length) {
        this.push(null);
        return;
      }
      this.push(data.subarray(pulled, pulled + 16 * 1024));
      pulled += 16 * 1024;
    },
  });
  const body = resumingBody({
    first: source,
    start: 0,
    end: data.length,
    expected: hashBuffer(data),
    maxResumes: 0,
    reopen: () => Promise.reject(new Error('not expected')),
  });
  await new Promise((r) => setTimeout(r, 20));
  t.true(pulled < data.length / 2, `pulled ${pulled} bytes with nobody reading`);
  t.true((await readAll(body)).equals(data));
});

test('destroying the body closes the response', async (t) => {
  const data = bytes(1000);
  const source = new Readable({ read() {} });
  source.push(data.subarray(0, 100));
  const body = resumingBody({
    first: source,
    start: 0,
    end: data.length,
    maxResumes: 1,
    reopen: () => Promise.reject(new Error('not expected')),
  });
  body.destroy();
  await new Promise((r) => setImmediate(r));
  t.true(source.destroyed);
});

test('md5 is checked too when the object has one', async (t) => {
  const data = bytes(100);
  const body = resumingBody({
    first: Readable.from([data]),
    start: 0,
    end: data.length,
    expected: { crc32c: hashBuffer(data).crc32c ?? '', md5: hashBuffer(Buffer.from('other')).md5 ?? '' },
    maxResumes: 1,
    reopen: () => Promise.reject(new Error('not expected')),
  });
  t.true(isStorageError(await t.throwsAsync(readAll(body)), 'integrity'));
});

test('a body that ends early is resumed; a range is never overrun', async (t) => {
  const data = bytes(1000);
  const body = resumingBody({
    first: Readable.from([data.subarray(100, 400)]),
    start: 100,
    end: 600,
    maxResumes: 1,
    // A server that ignores the range end: bytes past it must not reach the caller.
    reopen: (offset) => Promise.resolve(Readable.from([data.subarray(offset)])),
  });
  t.true((await readAll(body)).equals(data.subarray(100, 600)));
});

test('resumes are bounded; a non-transient failure is not resumed', async (t) => {
  const data = bytes(1000);
  const always = resumingBody({
    first: cutBody(data, 0, 10),
    start: 0,
    end: data.length,
    maxResumes: 2,
    reopen: (offset) => Promise.resolve(cutBody(data, offset, offset + 10)),
  });
  t.true(isStorageError(await t.throwsAsync(readAll(always)), 'network'));
  const gone = resumingBody({
    first: cutBody(data, 0, 10),
    start: 0,
    end: data.length,
    maxResumes: 2,
    reopen: () => Promise.reject(new StorageError('not-found', 'generation gone')),
  });
  t.true(isStorageError(await t.throwsAsync(readAll(gone)), 'not-found'));
});

test('bytes before `from` (a server that ignored Range) are hashed but not delivered', async (t) => {
  const data = bytes(4000);
  const body = resumingBody({
    first: cutBody(data, 0, 1500),
    start: 0,
    from: 1000,
    end: 3000,
    maxResumes: 1,
    reopen: (offset) => Promise.resolve(Readable.from([data.subarray(offset, 3000)])),
  });
  t.true((await readAll(body)).equals(data.subarray(1000, 3000)));
});
