import test from 'ava';
import { buildV2StringToSign, parseV2Header, v2Signature, verifyV2 } from '../../../emulator/auth/sigv2.js';
import { ACCESS_ID, SECRET } from './test-signer.js';

const VECTOR_HEADERS = {
  host: 'storage.googleapis.com',
  'content-type': 'text/plain',
  date: 'Fri, 05 Jan 2024 12:00:00 GMT',
  'x-goog-meta-color': 'blue',
};

test('§2.5 test vector: StringToSign and GOOG1 signature', (t) => {
  const view = {
    method: 'PUT',
    rawPath: '/example-bucket/dir/a%20b.txt',
    rawQuery: '',
    headers: VECTOR_HEADERS,
  };
  const params = { flavor: 'GOOG1' as const, accessId: ACCESS_ID, signature: '9+3rofgx/4aRdK7GDQmthsqUTkg=' };
  const sts = buildV2StringToSign(view, params, '/example-bucket/dir/a%20b.txt');
  t.is(
    sts,
    'PUT\n\ntext/plain\nFri, 05 Jan 2024 12:00:00 GMT\nx-goog-meta-color:blue\n/example-bucket/dir/a%20b.txt',
  );
  t.is(v2Signature(SECRET, sts), '9+3rofgx/4aRdK7GDQmthsqUTkg=');
  t.deepEqual(verifyV2(view, params, SECRET), { ok: true });
  t.deepEqual(parseV2Header(`GOOG1 ${ACCESS_ID}:9+3rofgx/4aRdK7GDQmthsqUTkg=`), params);
});

test('V2 canonical resource keeps only boto sub-resources, sorted, valueless ones bare', (t) => {
  const view = {
    method: 'GET',
    rawPath: '/b/o',
    rawQuery: 'versions&prefix=x&acl&response-content-type=text%2Fplain&generation=3',
    headers: { host: 'storage.googleapis.com', date: 'D' },
  };
  const sts = buildV2StringToSign(view, { flavor: 'GOOG1', accessId: 'a', signature: '' }, '/b/o');
  t.is(sts, 'GET\n\n\nD\n/b/o?acl&response-content-type=text/plain&versions');
});

test('V2 date line is empty when x-goog-date is present, and AWS uses x-amz- headers', (t) => {
  const headers = { date: 'D', 'x-goog-date': 'G', 'x-amz-meta-a': '1', 'x-amz-date': 'A' };
  const view = { method: 'GET', rawPath: '/b/o', rawQuery: '', headers };
  t.is(
    buildV2StringToSign(view, { flavor: 'GOOG1', accessId: 'a', signature: '' }, '/b/o'),
    'GET\n\n\n\nx-goog-date:G\n/b/o',
  );
  t.is(
    buildV2StringToSign(view, { flavor: 'AWS', accessId: 'a', signature: '' }, '/b/o'),
    'GET\n\n\n\nx-amz-date:A\nx-amz-meta-a:1\n/b/o',
  );
});

test('parseV2Header rejects malformed values', (t) => {
  t.is(typeof parseV2Header('GOOG1 nocolon'), 'string');
  t.is(typeof parseV2Header('GOOG1 :sig'), 'string');
  t.deepEqual(parseV2Header('AWS AK:c2ln'), { flavor: 'AWS', accessId: 'AK', signature: 'c2ln' });
});
