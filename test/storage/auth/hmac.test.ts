import test from 'ava';
import { ManualClock } from '../../../common/clock.js';
import {
  HmacCredentials,
  v2Signature,
  v2StringToSign,
  v4CanonicalQuery,
  v4CanonicalRequest,
  v4CanonicalUri,
  v4Scope,
  v4Signature,
  v4StringToSign,
  v4Timestamp,
} from '../../../storage/auth/hmac.js';
import type { RequestToSign } from '../../../storage/auth/credentials.js';

// Spec §2.3/§2.4 example key.
const ACCESS_ID = 'GOOG1EEXAMPLEACCESSID';
const SECRET = 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ';
const VECTOR_TIME = Date.UTC(2024, 0, 5, 12, 0, 0);

const SPEC_CANONICAL = `GET
/example-bucket/dir/a%20b.txt

host:storage.googleapis.com
x-goog-content-sha256:UNSIGNED-PAYLOAD
x-goog-date:20240105T120000Z

host;x-goog-content-sha256;x-goog-date
UNSIGNED-PAYLOAD`;

test('V4 GOOG4 spec vector: canonical request, string to sign, signature', (t) => {
  const canonical = v4CanonicalRequest({
    method: 'GET',
    path: '/example-bucket/dir/a%20b.txt',
    query: '',
    headers: {
      host: 'storage.googleapis.com',
      'x-goog-date': '20240105T120000Z',
      'x-goog-content-sha256': 'UNSIGNED-PAYLOAD',
    },
    signedHeaders: ['x-goog-date', 'host', 'x-goog-content-sha256'],
    payloadHash: 'UNSIGNED-PAYLOAD',
  });
  t.is(canonical, SPEC_CANONICAL);
  const scope = v4Scope('GOOG4', '20240105', 'auto');
  t.is(scope, '20240105/auto/storage/goog4_request');
  const sts = v4StringToSign('GOOG4', '20240105T120000Z', scope, canonical);
  t.is(
    sts,
    'GOOG4-HMAC-SHA256\n20240105T120000Z\n20240105/auto/storage/goog4_request\n' +
      '805e741e59c76fd3d03e9d50c9ffe8d03f63154d431437b5916d1322ba34482d',
  );
  t.is(
    v4Signature('GOOG4', SECRET, '20240105', 'auto', sts),
    '4a8cf593a8dee521a4f2d4c52b01422f624df4e42362abf155a952ed2864f872',
  );
});

test('V4 AWS4 spec vector', (t) => {
  const canonical = v4CanonicalRequest({
    method: 'GET',
    path: '/example-bucket/dir/a%20b.txt',
    query: '',
    headers: {
      host: 'storage.googleapis.com',
      'x-amz-date': '20240105T120000Z',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    },
    signedHeaders: ['host', 'x-amz-content-sha256', 'x-amz-date'],
    payloadHash: 'UNSIGNED-PAYLOAD',
  });
  const scope = v4Scope('AWS4', '20240105', 'us-east-1');
  t.is(scope, '20240105/us-east-1/s3/aws4_request');
  const sts = v4StringToSign('AWS4', '20240105T120000Z', scope, canonical);
  t.is(sts.split('\n')[3], 'b923e45c927438f977ae76ca7d9656f93092648386e142fc673371c18fc2e02c');
  t.is(
    v4Signature('AWS4', SECRET, '20240105', 'us-east-1', sts),
    '72c892c8785f359be6d4c12955751ad42dd3a7047292e6332eeed5b9d4606639',
  );
});

test('HmacCredentials (GOOG4) reproduces the spec Authorization header', async (t) => {
  const creds = new HmacCredentials({
    accessId: ACCESS_ID,
    secret: SECRET,
    clock: new ManualClock(VECTOR_TIME),
  });
  const req: RequestToSign = {
    method: 'GET',
    url: new URL('https://storage.googleapis.com/example-bucket/dir/a%20b.txt'),
    headers: { 'accept-encoding': 'gzip', 'user-agent': 'gcsmount' },
  };
  await creds.authorize(req);
  t.is(req.headers['x-goog-date'], '20240105T120000Z');
  t.is(req.headers['x-goog-content-sha256'], 'UNSIGNED-PAYLOAD');
  t.is(
    req.headers['authorization'],
    'GOOG4-HMAC-SHA256 Credential=GOOG1EEXAMPLEACCESSID/20240105/auto/storage/goog4_request, ' +
      'SignedHeaders=host;x-goog-content-sha256;x-goog-date, ' +
      'Signature=4a8cf593a8dee521a4f2d4c52b01422f624df4e42362abf155a952ed2864f872',
  );
  t.is(creds.lastSignature?.canonicalRequest, SPEC_CANONICAL);
});

test('HmacCredentials (AWS4) reproduces the spec S3-dialect signature', async (t) => {
  const creds = new HmacCredentials({
    accessId: ACCESS_ID,
    secret: SECRET,
    signing: 'AWS4',
    clock: new ManualClock(VECTOR_TIME),
  });
  const req: RequestToSign = {
    method: 'GET',
    url: new URL('https://storage.googleapis.com/example-bucket/dir/a%20b.txt'),
    headers: {},
  };
  await creds.authorize(req);
  t.is(req.headers['x-amz-date'], '20240105T120000Z');
  t.is(
    req.headers['authorization'],
    'AWS4-HMAC-SHA256 Credential=GOOG1EEXAMPLEACCESSID/20240105/us-east-1/s3/aws4_request, ' +
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date, ' +
      'Signature=72c892c8785f359be6d4c12955751ad42dd3a7047292e6332eeed5b9d4606639',
  );
});

test('V4 signs content-type, content-md5 and x-goog-*, keeps a provided payload hash, never accept-encoding', async (t) => {
  const clock = new ManualClock(VECTOR_TIME);
  const creds = new HmacCredentials({ accessId: ACCESS_ID, secret: SECRET, clock });
  const hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const req: RequestToSign = {
    method: 'PUT',
    url: new URL('http://127.0.0.1:4443/b/o?uploads'),
    headers: {
      'content-type': 'text/plain',
      'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==',
      'content-length': '0',
      'accept-encoding': 'gzip',
      'x-goog-meta-color': '  blue   sky ',
      'x-goog-content-sha256': hash,
      authorization: 'stale',
    },
  };
  await creds.authorize(req);
  const auth = req.headers['authorization'] ?? '';
  t.regex(
    auth,
    /SignedHeaders=content-md5;content-type;host;x-goog-content-sha256;x-goog-date;x-goog-meta-color, /,
  );
  t.is(req.headers['x-goog-content-sha256'], hash);
  const canonical = creds.lastSignature?.canonicalRequest ?? '';
  t.true(canonical.includes('\nhost:127.0.0.1:4443\n'));
  t.true(canonical.includes('\nx-goog-meta-color:blue sky\n'));
  t.true(canonical.startsWith('PUT\n/b/o\nuploads=\n'));
  t.true(canonical.endsWith(`\n${hash}`));
  t.false(canonical.includes('accept-encoding'));
  // Re-authorizing later (a retry) replaces the date and signature instead of stacking them.
  await clock.advance(60_000);
  await creds.authorize(req);
  t.is(req.headers['x-goog-date'], '20240105T120100Z');
  t.not(req.headers['authorization'], auth);
});

test('canonical URI keeps escapes (upper-cased) and encodes the rest; query is sorted and RFC 3986', (t) => {
  t.is(v4CanonicalUri('/b/a%2fb/c d/é/~x!*'), '/b/a%2Fb/c%20d/%C3%A9/~x%21%2A');
  t.is(v4CanonicalUri('/b/50%'), '/b/50%25');
  t.is(v4CanonicalQuery(''), '');
  t.is(
    v4CanonicalQuery('?prefix=a%20b&delimiter=%2F&uploads&X-Goog-Signature=abc&max-keys=2&prefix=a'),
    'delimiter=%2F&max-keys=2&prefix=a&prefix=a%20b&uploads=',
  );
  t.is(v4CanonicalQuery('prefix=a+b%2Bc'), 'prefix=a%20b%2Bc');
  t.is(v4Timestamp(VECTOR_TIME + 999), '20240105T120000Z');
});

test('V2 GOOG1 spec vector', (t) => {
  const sts = v2StringToSign('GOOG1', 'PUT', '/example-bucket/dir/a%20b.txt', '', {
    'content-type': 'text/plain',
    date: 'Fri, 05 Jan 2024 12:00:00 GMT',
    'x-goog-meta-color': 'blue',
    'content-length': '3',
  });
  t.is(
    sts,
    'PUT\n\ntext/plain\nFri, 05 Jan 2024 12:00:00 GMT\nx-goog-meta-color:blue\n/example-bucket/dir/a%20b.txt',
  );
  t.is(v2Signature(SECRET, sts), '9+3rofgx/4aRdK7GDQmthsqUTkg=');
});

test('HmacCredentials (GOOG1) sets Date and reproduces the spec V2 header', async (t) => {
  const creds = new HmacCredentials({
    accessId: ACCESS_ID,
    secret: SECRET,
    signing: 'GOOG1',
    clock: new ManualClock(VECTOR_TIME),
  });
  const req: RequestToSign = {
    method: 'PUT',
    url: new URL('https://storage.googleapis.com/example-bucket/dir/a%20b.txt'),
    headers: { 'content-type': 'text/plain', 'x-goog-meta-color': 'blue' },
  };
  await creds.authorize(req);
  t.is(req.headers['date'], 'Fri, 05 Jan 2024 12:00:00 GMT');
  t.is(req.headers['authorization'], 'GOOG1 GOOG1EEXAMPLEACCESSID:9+3rofgx/4aRdK7GDQmthsqUTkg=');
});

test('V2 resource: bucket gets a trailing slash, only boto sub-resources are signed, sorted by name', (t) => {
  const base = { date: 'D' };
  t.is(v2StringToSign('GOOG1', 'GET', '/', '', base), 'GET\n\n\nD\n/');
  t.is(v2StringToSign('GOOG1', 'GET', '/bkt', '?prefix=a&max-keys=3', base), 'GET\n\n\nD\n/bkt/');
  t.is(
    v2StringToSign(
      'GOOG1',
      'GET',
      '/bkt/o',
      '?versionId=5&prefix=x&acl&response-content-type=text%2Fplain',
      base,
    ),
    'GET\n\n\nD\n/bkt/o?acl&response-content-type=text/plain&versionId=5',
  );
  // With x-goog-date the Date line is empty; the AWS dialect uses x-amz-* instead.
  t.is(
    v2StringToSign('GOOG1', 'GET', '/b/o', '', { date: 'D', 'x-goog-date': 'X', 'x-amz-meta-a': '1' }),
    'GET\n\n\n\nx-goog-date:X\n/b/o',
  );
  t.is(
    v2StringToSign('AWS', 'GET', '/b/o', '', { date: 'D', 'x-goog-meta-a': '1', 'x-amz-meta-a': '2' }),
    'GET\n\n\nD\nx-amz-meta-a:2\n/b/o',
  );
});

test('description names the key by its first 8 characters, never the secret; invalidate cannot help', (t) => {
  const creds = new HmacCredentials({ accessId: ACCESS_ID, secret: SECRET });
  t.is(creds.description, 'HMAC key GOOG1EEX…');
  t.false(creds.description.includes(SECRET));
  t.false(creds.invalidate());
});
