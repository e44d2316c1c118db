import test from 'ava';
import { isStorageError } from '../../../storage/errors.js';
import {
  encodeObjectName,
  objectMetaFromHeaders,
  writableMetadataHeaders,
} from '../../../storage/client/headers.js';

test('object names: unreserved kept, slash kept, everything else percent-encoded per UTF-8 byte', (t) => {
  const table: [string, string][] = [
    ['a/b/c.txt', 'a/b/c.txt'],
    ['a b+c', 'a%20b%2Bc'],
    ["it's (ok)*!", 'it%27s%20%28ok%29%2A%21'],
    ['ü', '%C3%BC'],
    ['☃/x', '%E2%98%83/x'],
    ['q?x=1#f&%', 'q%3Fx%3D1%23f%26%25'],
    ['~-._', '~-._'],
    ['dir/', 'dir/'],
    ['..a/b..', '..a/b..'],
  ];
  for (const [name, encoded] of table) t.is(encodeObjectName(name), encoded, name);
});

test('object names with dot segments or // go fully encoded so no URL parser collapses them', (t) => {
  const table: [string, string][] = [
    ['a/./b', 'a%2F.%2Fb'],
    ['a/../b', 'a%2F..%2Fb'],
    ['./x', '.%2Fx'],
    ['x/..', 'x%2F..'],
    ['x//y', 'x%2F%2Fy'],
  ];
  for (const [name, encoded] of table) {
    t.is(encodeObjectName(name), encoded, name);
    t.is(new URL(`http://h/b/${encoded}`).pathname, `/b/${encoded}`, `${name} survives URL parsing`);
  }
  for (const bad of ['', '.', '..']) {
    t.true(
      isStorageError(
        t.throws(() => encodeObjectName(bad)),
        'invalid-name',
      ),
      JSON.stringify(bad),
    );
  }
});

test('HEAD headers -> ObjectMeta: stored size, hashes in either form, metadata from goog or amz', (t) => {
  const meta = objectMetaFromHeaders('b', 'o', {
    'x-goog-stored-content-length': '11',
    'content-length': '3',
    'x-goog-generation': '0001704456000123456',
    'x-goog-metageneration': '2',
    'x-goog-hash': ['crc32c=yZRlqg==', 'md5=XrY7u+Ae7tCTyyK7j1rNww=='],
    'x-goog-stored-content-encoding': 'gzip',
    'content-encoding': 'gzip',
    'last-modified': 'Tue, 18 Oct 2022 10:39:00 GMT',
    etag: '"abc"',
    'content-type': 'text/plain',
    'x-goog-storage-class': 'NEARLINE',
    'x-goog-component-count': '3',
    'x-goog-meta-mode': '644',
    'x-amz-meta-uid': '1000',
  });
  t.deepEqual(meta, {
    bucket: 'b',
    name: 'o',
    size: 11,
    generation: '1704456000123456',
    metageneration: '2',
    updated: new Date('2022-10-18T10:39:00Z'),
    etag: '"abc"',
    contentType: 'text/plain',
    metadata: { mode: '644', uid: '1000' },
    crc32c: 'yZRlqg==',
    md5: 'XrY7u+Ae7tCTyyK7j1rNww==',
    contentEncoding: 'gzip',
    storageClass: 'NEARLINE',
    componentCount: 3,
  });
  const joined = objectMetaFromHeaders('b', 'o', {
    'content-length': '0',
    'x-goog-generation': '5',
    'x-goog-hash': 'crc32c=AAAAAA==,md5=1B2M2Y8AsgTpgAmY7PhCfg==',
    'x-goog-stored-content-encoding': 'identity',
  });
  t.is(joined.md5, '1B2M2Y8AsgTpgAmY7PhCfg==');
  t.is(joined.contentEncoding, undefined);
  t.is(joined.metageneration, '1');
  t.true(
    isStorageError(
      t.throws(() => objectMetaFromHeaders('b', 'o', { 'content-length': '1' })),
      'unavailable',
    ),
  );
});

test('HEAD headers -> ObjectMeta: the served default Cache-Control is not taken as stored', (t) => {
  const base = { 'content-length': '1', 'x-goog-generation': '5' };
  for (const served of ['private, max-age=0', 'public, max-age=3600']) {
    t.is(objectMetaFromHeaders('b', 'o', { ...base, 'cache-control': served }).cacheControl, undefined);
  }
  t.is(objectMetaFromHeaders('b', 'o', { ...base, 'cache-control': 'no-cache' }).cacheControl, 'no-cache');
});

test('writable metadata -> headers; keys lower-cased; values that cannot be headers are refused', (t) => {
  t.deepEqual(
    writableMetadataHeaders({
      contentType: 'text/plain',
      cacheControl: 'no-cache',
      storageClass: 'COLDLINE',
      metadata: { Mode: '644', 'goog-reserved-posix-uid': '0' },
    }),
    {
      'content-type': 'text/plain',
      'cache-control': 'no-cache',
      'x-goog-storage-class': 'COLDLINE',
      'x-goog-meta-mode': '644',
      'x-goog-meta-goog-reserved-posix-uid': '0',
    },
  );
  t.true(
    isStorageError(
      t.throws(() => writableMetadataHeaders({ metadata: { a: 'x\r\ny' } })),
      'invalid-argument',
    ),
  );
  t.true(
    isStorageError(
      t.throws(() => writableMetadataHeaders({ metadata: { 'a b': 'x' } })),
      'invalid-argument',
    ),
  );
  t.true(
    isStorageError(
      t.throws(() => writableMetadataHeaders({ metadata: { a: '☃' } })),
      'invalid-argument',
    ),
  );
});
