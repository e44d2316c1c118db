import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import test from 'ava';
import fc from 'fast-check';
import {
  crc32cFromBase64,
  crc32cToBase64,
  createHasher,
  formatGoogHash,
  hashBuffer,
  HashingStream,
  md5Hex,
  parseGoogHash,
  verifyHashes,
} from '../../storage/checksums.js';
import { isStorageError } from '../../storage/errors.js';

const vectors: [string, string][] = [
  ['', 'AAAAAA=='],
  ['hello world', 'yZRlqg=='],
  ['The quick brown fox jumps over the lazy dog', 'ImIEBA=='],
];

for (const [input, crc] of vectors) {
  test(`crc32c(${JSON.stringify(input)}) = ${crc}`, (t) => {
    t.is(hashBuffer(Buffer.from(input)).crc32c, crc);
  });
}

test('md5 vectors, base64 and hex', (t) => {
  t.is(hashBuffer(Buffer.alloc(0)).md5, '1B2M2Y8AsgTpgAmY7PhCfg==');
  t.is(hashBuffer(Buffer.from('hello world')).md5, 'XrY7u+Ae7tCTyyK7j1rNww==');
  t.is(md5Hex('1B2M2Y8AsgTpgAmY7PhCfg=='), 'd41d8cd98f00b204e9800998ecf8427e');
  t.is(hashBuffer(Buffer.from('x'), { md5: false }).md5, undefined);
});

test('0x22620404 is ImIEBA== and back', (t) => {
  t.is(crc32cToBase64(0x22620404), 'ImIEBA==');
  t.is(crc32cFromBase64('ImIEBA=='), 0x22620404);
  t.is(crc32cFromBase64('not-base64!'), undefined);
  t.is(crc32cFromBase64('AAAAAAA='), undefined);
});

test('property: hashing in chunks equals hashing at once', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 2000 }),
      fc.array(fc.nat(2000), { maxLength: 6 }),
      (data, cuts) => {
        const hasher = createHasher();
        let at = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          const end = Math.min(cut, data.length);
          hasher.update(data.subarray(at, Math.max(at, end)));
          at = Math.max(at, end);
        }
        hasher.update(data.subarray(at));
        const whole = hashBuffer(data);
        const chunked = hasher.digest();
        return chunked.crc32c === whole.crc32c && chunked.md5 === whole.md5 && hasher.bytes === data.length;
      },
    ),
  );
  t.pass();
});

test('x-goog-hash: repeated headers and the comma-joined form parse the same', (t) => {
  const expected = { crc32c: 'yZRlqg==', md5: 'XrY7u+Ae7tCTyyK7j1rNww==' };
  t.deepEqual(parseGoogHash(['crc32c=yZRlqg==', 'md5=XrY7u+Ae7tCTyyK7j1rNww==']), expected);
  t.deepEqual(parseGoogHash('crc32c=yZRlqg==,md5=XrY7u+Ae7tCTyyK7j1rNww=='), expected);
  t.deepEqual(parseGoogHash('MD5=XrY7u+Ae7tCTyyK7j1rNww==, CRC32C=yZRlqg=='), expected);
  t.deepEqual(parseGoogHash('crc32c=ir4fqg=='), { crc32c: 'ir4fqg==' });
  t.deepEqual(parseGoogHash(undefined), {});
  t.deepEqual(parseGoogHash('sha256=abc,garbage'), {});
  t.is(formatGoogHash(expected), 'crc32c=yZRlqg==,md5=XrY7u+Ae7tCTyyK7j1rNww==');
  t.deepEqual(parseGoogHash(formatGoogHash(expected)), expected);
  t.is(formatGoogHash({}), '');
});

test('verifyHashes compares only what both sides have', (t) => {
  t.notThrows(() => {
    verifyHashes({ crc32c: 'a', md5: 'b' }, { crc32c: 'a' });
  });
  t.notThrows(() => {
    verifyHashes({ crc32c: 'a' }, { md5: 'z' });
  });
  t.true(
    isStorageError(
      t.throws(() => {
        verifyHashes({ crc32c: 'a' }, { crc32c: 'b' });
      }),
      'integrity',
    ),
  );
});

const sink = (chunks: Buffer[]): Writable =>
  new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk);
      cb();
    },
  });

test('HashingStream passes bytes through and reports hashes', async (t) => {
  const chunks: Buffer[] = [];
  const hashing = new HashingStream({ md5: true });
  await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), hashing, sink(chunks));
  t.is(Buffer.concat(chunks).toString(), 'hello world');
  t.deepEqual(hashing.result, { crc32c: 'yZRlqg==', md5: 'XrY7u+Ae7tCTyyK7j1rNww==' });
});

test('HashingStream with expected hashes fails a corrupt body with integrity', async (t) => {
  const ok = new HashingStream({ expected: { crc32c: 'yZRlqg==' } });
  await t.notThrowsAsync(pipeline(Readable.from([Buffer.from('hello world')]), ok, sink([])));
  const bad = new HashingStream({ expected: { crc32c: 'yZRlqg==' } });
  const e = await t.throwsAsync(pipeline(Readable.from([Buffer.from('hello wurld')]), bad, sink([])));
  t.true(isStorageError(e, 'integrity'));
});
