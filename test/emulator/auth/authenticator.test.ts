import test from 'ava';
import { ManualClock } from '../../../common/clock.js';
import { createAuthenticator } from '../../../emulator/auth/authenticator.js';
import { TokenRegistry } from '../../../emulator/auth/token-registry.js';
import type { AuthOutcome, AuthRequestView } from '../../../emulator/hooks.js';
import { ACCESS_ID, SECRET, signV2, signV2Url, signV4, signV4Url } from './test-signer.js';

const T0 = new Date('2024-01-05T12:00:00Z');
const RO = 'https://www.googleapis.com/auth/devstorage.read_only';
const RW = 'https://www.googleapis.com/auth/devstorage.read_write';
const FULL = 'https://www.googleapis.com/auth/devstorage.full_control';

function setup(opts: { keys?: boolean; requireAuth?: boolean } = {}) {
  const clock = new ManualClock(T0.getTime());
  const tokens = new TokenRegistry({ clock });
  const hmacKeys = new Map(opts.keys === false ? [] : [[ACCESS_ID, SECRET]]);
  const auth = createAuthenticator({ hmacKeys, requireAuth: opts.requireAuth ?? false, tokens, clock });
  const run = async (view: AuthRequestView): Promise<AuthOutcome> => auth(view);
  return { clock, tokens, run };
}

const get = (path: string, headers: Record<string, string> = {}, rawQuery = ''): AuthRequestView => ({
  method: 'GET',
  rawPath: path,
  rawQuery,
  headers: { host: 'storage.googleapis.com', ...headers },
});

function failure(t: { fail: (m: string) => void }, outcome: AuthOutcome) {
  if (outcome.ok) {
    t.fail('expected a failure');
    throw new Error('unreachable');
  }
  return outcome;
}

test('§2.4 vector requests verify in both dialects and set the dialect', async (t) => {
  const { run } = setup();
  const goog = get('/example-bucket/dir/a%20b.txt', {
    'x-goog-date': '20240105T120000Z',
    'x-goog-content-sha256': 'UNSIGNED-PAYLOAD',
    authorization:
      'GOOG4-HMAC-SHA256 Credential=GOOG1EEXAMPLEACCESSID/20240105/auto/storage/goog4_request, ' +
      'SignedHeaders=host;x-goog-content-sha256;x-goog-date, ' +
      'Signature=4a8cf593a8dee521a4f2d4c52b01422f624df4e42362abf155a952ed2864f872',
  });
  t.deepEqual(await run(goog), { ok: true, principal: ACCESS_ID, dialect: 'goog' });
  const s3 = get('/example-bucket/dir/a%20b.txt', {
    'x-amz-date': '20240105T120000Z',
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    authorization:
      'AWS4-HMAC-SHA256 Credential=GOOG1EEXAMPLEACCESSID/20240105/us-east-1/s3/aws4_request, ' +
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date, ' +
      'Signature=72c892c8785f359be6d4c12955751ad42dd3a7047292e6332eeed5b9d4606639',
  });
  t.deepEqual(await run(s3), { ok: true, principal: ACCESS_ID, dialect: 's3' });
});

test('§2.5 vector request verifies (GOOG1)', async (t) => {
  const { run } = setup();
  const view: AuthRequestView = {
    method: 'PUT',
    rawPath: '/example-bucket/dir/a%20b.txt',
    rawQuery: '',
    headers: {
      host: 'storage.googleapis.com',
      'content-type': 'text/plain',
      date: 'Fri, 05 Jan 2024 12:00:00 GMT',
      'x-goog-meta-color': 'blue',
      authorization: 'GOOG1 GOOG1EEXAMPLEACCESSID:9+3rofgx/4aRdK7GDQmthsqUTkg=',
    },
  };
  t.deepEqual(await run(view), { ok: true, principal: ACCESS_ID, dialect: 'goog' });
});

test('V4 wrong signature: 403 SignatureDoesNotMatch with string to sign and canonical request', async (t) => {
  const { run } = setup();
  const view = signV4({
    flavor: 'GOOG4',
    method: 'GET',
    path: '/example-bucket/dir/a%20b.txt',
    time: T0,
    secret: 'wrong',
  });
  const out = failure(t, await run(view));
  t.is(out.status, 403);
  t.is(out.code, 'SignatureDoesNotMatch');
  t.is(out.message, 'Access denied.');
  t.regex(
    out.details ?? '',
    /^The request signature we calculated does not match the signature you provided/,
  );
  t.is(
    out.stringToSign,
    'GOOG4-HMAC-SHA256\n20240105T120000Z\n20240105/auto/storage/goog4_request\n805e741e59c76fd3d03e9d50c9ffe8d03f63154d431437b5916d1322ba34482d',
  );
  t.true(
    out.canonicalRequest?.startsWith('GET\n/example-bucket/dir/a%20b.txt\n\nhost:storage.googleapis.com\n'),
  );
});

test('V4 rejections: unknown access id, malformed header, missing date, skew', async (t) => {
  const { run, clock } = setup();
  const unknown = failure(
    t,
    await run(signV4({ flavor: 'GOOG4', method: 'GET', path: '/b/o', time: T0, accessId: 'GOOG1NOPE' })),
  );
  t.like(unknown, { status: 403, code: 'InvalidAccessKeyId' });
  const malformed = failure(t, await run(get('/b/o', { authorization: 'GOOG4-HMAC-SHA256 Credential=x' })));
  t.like(malformed, {
    status: 403,
    code: 'InvalidSecurity',
    message: 'The provided security credentials are not valid.',
  });
  const noDate = signV4({ flavor: 'GOOG4', method: 'GET', path: '/b/o', time: T0 });
  delete noDate.headers['x-goog-date'];
  t.like(failure(t, await run(noDate)), { status: 400, code: 'MissingSecurityHeader' });

  const ok = signV4({ flavor: 'GOOG4', method: 'GET', path: '/b/o', time: T0 });
  await clock.advance(14 * 60_000);
  t.true((await run(ok)).ok);
  await clock.advance(2 * 60_000);
  t.like(failure(t, await run(ok)), { status: 403, code: 'RequestTimeTooSkewed' });
  const future = signV4({
    flavor: 'AWS4',
    method: 'GET',
    path: '/b/o',
    time: new Date(clock.now() + 16 * 60_000),
  });
  t.like(failure(t, await run(future)), { status: 403, code: 'RequestTimeTooSkewed' });
});

test('V4 accepts a path signed in canonical form but sent with unescaped characters', async (t) => {
  const { run } = setup();
  const view = signV4({
    flavor: 'GOOG4',
    method: 'GET',
    path: "/b/it's(1)!.txt",
    signedPath: '/b/it%27s%281%29%21.txt',
    time: T0,
  });
  t.true((await run(view)).ok);
  const asSent = signV4({ flavor: 'GOOG4', method: 'GET', path: '/b/a%2Bb%7Ec', time: T0 });
  t.true((await run(asSent)).ok);
});

test('V4 query strings: valueless params as name=, encoded values, any region, hex payload hash', async (t) => {
  const { run } = setup();
  const uploads = signV4({
    flavor: 'AWS4',
    method: 'POST',
    path: '/b/big.bin',
    query: [['uploads', null]],
    time: T0,
    region: 'europe-west1',
  });
  t.is(uploads.rawQuery, 'uploads');
  t.deepEqual(await run(uploads), { ok: true, principal: ACCESS_ID, dialect: 's3' });
  const list = signV4({
    flavor: 'GOOG4',
    method: 'GET',
    path: '/b',
    query: [
      ['prefix', 'dir/a b+c'],
      ['delimiter', '/'],
      ['list-type', '2'],
      ['marker', 'é'],
    ],
    time: T0,
  });
  t.true((await run(list)).ok);
  const body = signV4({
    flavor: 'AWS4',
    method: 'PUT',
    path: '/b/o',
    time: T0,
    region: '',
    payloadHash: 'ab'.repeat(32),
  });
  t.true((await run(body)).ok);
  const tampered = { ...list, rawQuery: list.rawQuery.replace('list-type=2', 'list-type=1') };
  t.like(failure(t, await run(tampered)), { code: 'SignatureDoesNotMatch' });
});

test('V4 virtual-host request verifies with the path as received', async (t) => {
  const { run } = setup();
  const view = signV4({
    flavor: 'AWS4',
    method: 'GET',
    path: '/dir/o.txt',
    headers: { host: 'b.storage.googleapis.com' },
    time: T0,
  });
  t.true((await run(view)).ok);
});

test('V4 signed URLs: valid, expired (400 ExpiredToken), tampered, too long', async (t) => {
  const { run, clock } = setup();
  const url = signV4Url({
    flavor: 'GOOG4',
    method: 'GET',
    path: '/b/o%20x',
    time: T0,
    expires: 600,
    query: [['generation', '7']],
  });
  t.deepEqual(await run(url), { ok: true, principal: ACCESS_ID, dialect: 'goog' });
  const s3 = signV4Url({ flavor: 'AWS4', method: 'PUT', path: '/b/o', time: T0, expires: 600 });
  t.deepEqual(await run(s3), { ok: true, principal: ACCESS_ID, dialect: 's3' });
  t.like(failure(t, await run({ ...url, rawPath: '/b/other' })), {
    status: 403,
    code: 'SignatureDoesNotMatch',
  });
  const week = signV4Url({ flavor: 'GOOG4', method: 'GET', path: '/b/o', time: T0, expires: 604_801 });
  t.like(failure(t, await run(week)), { status: 400, code: 'InvalidArgument' });
  await clock.advance(601_000);
  const expired = failure(t, await run(url));
  t.like(expired, { status: 400, code: 'ExpiredToken' });
  t.regex(expired.details ?? '', /2024-01-05T12:10:00/);
});

test('V2 path-style, virtual-host, bucket and sub-resource requests verify', async (t) => {
  const { run } = setup();
  const date = { date: 'Fri, 05 Jan 2024 12:00:00 GMT' };
  const pathStyle = signV2({
    flavor: 'GOOG1',
    method: 'GET',
    path: '/b/a%20b',
    resource: '/b/a%20b',
    headers: date,
  });
  t.true((await run(pathStyle)).ok);
  const vhost = signV2({
    flavor: 'GOOG1',
    method: 'GET',
    path: '/a%20b',
    resource: '/b/a%20b',
    headers: { ...date, host: 'b.storage.googleapis.com' },
  });
  t.true((await run(vhost)).ok);
  const vhostLocal = signV2({
    flavor: 'GOOG1',
    method: 'GET',
    path: '/',
    resource: '/b/',
    headers: { ...date, host: 'b.localhost:4443' },
  });
  t.true((await run(vhostLocal)).ok);
  const bucket = signV2({
    flavor: 'GOOG1',
    method: 'GET',
    path: '/b',
    resource: '/b/',
    query: [
      ['prefix', 'x/'],
      ['delimiter', '/'],
    ],
    headers: date,
  });
  t.true((await run(bucket)).ok);
  const acl = signV2({
    flavor: 'AWS',
    method: 'PUT',
    path: '/b/o',
    resource: '/b/o',
    query: [
      ['acl', null],
      ['x-id', 'PutObjectAcl'],
    ],
    subResources: 'acl',
    headers: {
      'x-amz-date': 'Fri, 05 Jan 2024 12:00:00 GMT',
      'x-amz-acl': 'private',
      'content-type': 'application/xml',
    },
  });
  t.deepEqual(await run(acl), { ok: true, principal: ACCESS_ID, dialect: 's3' });
});

test('V2 rejections: wrong signature carries only StringToSign; skew; missing date; unknown key', async (t) => {
  const { run, clock } = setup();
  const date = { date: 'Fri, 05 Jan 2024 12:00:00 GMT' };
  const bad = failure(
    t,
    await run(
      signV2({ flavor: 'GOOG1', method: 'GET', path: '/b/o', resource: '/b/o', headers: date, secret: 'x' }),
    ),
  );
  t.like(bad, {
    status: 403,
    code: 'SignatureDoesNotMatch',
    stringToSign: 'GET\n\n\nFri, 05 Jan 2024 12:00:00 GMT\n/b/o',
  });
  t.is(bad.canonicalRequest, undefined);
  const unknown = signV2({
    flavor: 'GOOG1',
    method: 'GET',
    path: '/b/o',
    resource: '/b/o',
    headers: date,
    accessId: 'nope',
  });
  t.like(failure(t, await run(unknown)), { code: 'InvalidAccessKeyId' });
  const noDate = signV2({ flavor: 'GOOG1', method: 'GET', path: '/b/o', resource: '/b/o' });
  t.like(failure(t, await run(noDate)), { status: 400, code: 'MissingSecurityHeader' });
  t.like(failure(t, await run(get('/b/o', { authorization: 'GOOG1 nocolon' }))), { code: 'InvalidSecurity' });
  await clock.advance(16 * 60_000);
  const ok = signV2({ flavor: 'GOOG1', method: 'GET', path: '/b/o', resource: '/b/o', headers: date });
  t.like(failure(t, await run(ok)), { code: 'RequestTimeTooSkewed' });
});

test('V2 signed URLs: valid until Expires, then 400 ExpiredToken', async (t) => {
  const { run, clock } = setup();
  const expires = T0.getTime() / 1000 + 60;
  const url = signV2Url({ flavor: 'GOOG1', method: 'GET', path: '/b/o', resource: '/b/o', expires });
  t.deepEqual(await run(url), { ok: true, principal: ACCESS_ID, dialect: 'goog' });
  const aws = signV2Url({ flavor: 'AWS', method: 'GET', path: '/b/o', resource: '/b/o', expires });
  t.deepEqual(await run(aws), { ok: true, principal: ACCESS_ID, dialect: 's3' });
  t.like(failure(t, await run({ ...url, method: 'DELETE' })), { code: 'SignatureDoesNotMatch' });
  await clock.advance(61_000);
  t.like(failure(t, await run(url)), { status: 400, code: 'ExpiredToken' });
});

test('without keys or --require-auth everything is accepted, principal and dialect still reported', async (t) => {
  const { run } = setup({ keys: false });
  const badV4 = signV4({
    flavor: 'AWS4',
    method: 'GET',
    path: '/b/o',
    time: new Date(0),
    secret: 'x',
    accessId: 'AK',
  });
  t.deepEqual(await run(badV4), { ok: true, principal: 'AK', dialect: 's3' });
  const badV2 = signV2({
    flavor: 'GOOG1',
    method: 'GET',
    path: '/b/o',
    resource: '/b/o',
    secret: 'x',
    accessId: 'GK',
  });
  t.deepEqual(await run(badV2), { ok: true, principal: 'GK', dialect: 'goog' });
  t.deepEqual(await run(get('/b/o')), { ok: true, principal: 'anonymous', dialect: 'goog' });
  t.deepEqual(await run(get('/b/o', { authorization: 'Bearer anything' })), {
    ok: true,
    principal: 'oauth2-caller',
    dialect: 'goog',
  });
  t.true((await run(get('/b/o', { authorization: 'AWS garbage' }))).ok);
  t.true((await run(get('/b/o', { authorization: 'Basic dXNlcg==' }))).ok);
});

test('with keys but without --require-auth, bearer tokens and anonymous calls still pass', async (t) => {
  const { run } = setup();
  t.true((await run(get('/b/o', { authorization: 'Bearer whatever' }))).ok);
  t.true((await run(get('/b/o'))).ok);
  t.like(failure(t, await run(get('/b/o', { authorization: 'Basic dXNlcg==' }))), {
    code: 'InvalidSecurity',
  });
});

test('--require-auth: only issued, unexpired tokens pass; others get 401 AuthenticationRequired', async (t) => {
  const { run, tokens, clock } = setup({ requireAuth: true });
  const { accessToken } = tokens.issue('sa@p.iam.gserviceaccount.com', [RO]);
  t.deepEqual(await run(get('/b/o', { authorization: `Bearer ${accessToken}` })), {
    ok: true,
    principal: 'sa@p.iam.gserviceaccount.com',
    dialect: 'goog',
  });
  const unknown = failure(t, await run(get('/b/o', { authorization: 'Bearer ya29.forged' })));
  t.deepEqual(unknown, {
    ok: false,
    status: 401,
    code: 'AuthenticationRequired',
    message: 'Authentication required.',
  });
  t.like(failure(t, await run(get('/b/o', { authorization: 'Bearer ' }))), { status: 401 });
  await clock.advance(3600_000);
  t.like(failure(t, await run(get('/b/o', { authorization: `Bearer ${accessToken}` }))), {
    status: 401,
    code: 'AuthenticationRequired',
  });
});

test('--require-auth: anonymous callers get 403 AccessDenied naming the likely permission', async (t) => {
  const { run } = setup({ requireAuth: true, keys: false });
  const cases: [string, string, Record<string, string>, string][] = [
    ['GET', '/b/o', {}, 'storage.objects.get access to the Google Cloud Storage object.'],
    ['HEAD', '/b/dir/o', {}, 'storage.objects.get access to the Google Cloud Storage object.'],
    ['GET', '/b', {}, 'storage.objects.list access to the Google Cloud Storage bucket.'],
    [
      'GET',
      '/',
      { host: 'b.storage.googleapis.com' },
      'storage.objects.list access to the Google Cloud Storage bucket.',
    ],
    ['PUT', '/b/o', {}, 'storage.objects.create access to the Google Cloud Storage object.'],
    ['DELETE', '/b/o', {}, 'storage.objects.delete access to the Google Cloud Storage object.'],
    ['GET', '/', {}, 'storage.buckets.list access to the Google Cloud project.'],
  ];
  for (const [method, path, headers, tail] of cases) {
    const out = failure(t, await run({ ...get(path, headers), method }));
    t.like(out, { status: 403, code: 'AccessDenied', message: 'Access denied.' });
    t.is(out.details, `Anonymous caller does not have ${tail}`, `${method} ${path}`);
  }
  // With --require-auth and no keys, no HMAC access id can exist.
  const signed = signV4({ flavor: 'GOOG4', method: 'GET', path: '/b/o', time: T0 });
  t.like(failure(t, await run(signed)), { code: 'InvalidAccessKeyId' });
});

test('V2 virtual-host detection follows the configured base hosts', async (t) => {
  const clock = new ManualClock(T0.getTime());
  const auth = createAuthenticator({
    hmacKeys: new Map([[ACCESS_ID, SECRET]]),
    requireAuth: false,
    tokens: new TokenRegistry({ clock }),
    clock,
    baseHosts: ['gcs.test'],
  });
  const date = { date: 'Fri, 05 Jan 2024 12:00:00 GMT' };
  const vhost = signV2({
    flavor: 'GOOG1',
    method: 'GET',
    path: '/o',
    resource: '/b/o',
    headers: { ...date, host: 'b.gcs.test:9000' },
  });
  t.true((await auth(vhost)).ok);
  // With this configuration storage.googleapis.com is not a base host, so its subdomain is path-style.
  const other = signV2({
    flavor: 'GOOG1',
    method: 'GET',
    path: '/o',
    resource: '/b/o',
    headers: { ...date, host: 'b.storage.googleapis.com' },
  });
  t.like(await auth(other), { ok: false, code: 'SignatureDoesNotMatch' });
});

test('the Bearer scheme name is case-insensitive', async (t) => {
  const { run, tokens } = setup({ requireAuth: true });
  const { accessToken } = tokens.issue('u', [FULL]);
  t.like(await run(get('/b/o', { authorization: `bearer ${accessToken}` })), { ok: true, principal: 'u' });
});

test('token scopes: read_only cannot write, read_write cannot change ACLs, other scopes cannot read', async (t) => {
  const { run, tokens } = setup();
  const call = (scope: string, method: string, rawQuery = '') => {
    const { accessToken } = tokens.issue('u', [scope]);
    return run({ ...get('/b/o', { authorization: `Bearer ${accessToken}` }, rawQuery), method });
  };
  t.true((await call(RO, 'GET')).ok);
  t.true((await call(RO, 'HEAD')).ok);
  t.like(await call(RO, 'PUT'), { ok: false, status: 403, code: 'AccessDenied' });
  t.true((await call(RW, 'DELETE')).ok);
  t.true((await call(RW, 'GET', 'acl')).ok);
  t.like(await call(RW, 'PUT', 'acl'), { ok: false, status: 403 });
  t.true((await call(FULL, 'PUT', 'acl')).ok);
  t.true((await call('https://www.googleapis.com/auth/cloud-platform', 'POST', 'uploads')).ok);
  t.like(await call('https://www.googleapis.com/auth/userinfo.email', 'GET'), {
    ok: false,
    details: 'Request had insufficient authentication scopes.',
  });
});
