import test from 'ava';
import { generateKeyPairSync, sign } from 'node:crypto';
import { JWT, UserRefreshClient } from 'google-auth-library';
import { ManualClock } from '../../../common/clock.js';
import { createAuthenticator } from '../../../emulator/auth/authenticator.js';
import { tokenEndpoint } from '../../../emulator/auth/token-endpoint.js';
import { TokenRegistry } from '../../../emulator/auth/token-registry.js';
import { serveRoutes } from './serve.js';

const EMAIL = 'mounter@test-project.iam.gserviceaccount.com';
const SCOPE = 'https://www.googleapis.com/auth/devstorage.full_control';
const { privateKey: PEM } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const { privateKey: OTHER_PEM } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const keyFile = (email = EMAIL, pem = PEM) => ({
  type: 'service_account',
  project_id: 'test-project',
  private_key_id: 'kid-1',
  private_key: pem,
  client_email: email,
  client_id: '1234567890',
  token_uri: 'https://oauth2.googleapis.com/token',
});

async function setup(t: { teardown: (f: () => Promise<void>) => void }, clock?: ManualClock) {
  const registry = new TokenRegistry(clock ? { clock } : {});
  registry.registerServiceAccount(JSON.stringify(keyFile()));
  registry.registerUser({
    clientId: 'client-1.apps',
    clientSecret: 's3cret',
    refreshToken: '1//refresh-a',
    subject: 'alice@example.com',
  });
  const server = await serveRoutes([tokenEndpoint(registry)]);
  t.teardown(() => server.close());
  return { registry, base: server.base };
}

/** google-auth-library v10's JWT posts to (and puts in `aud`) the fixed Google URL; redirect the transport. */
function jwtClient(base: string, opts: { email?: string; key?: string; keyId?: string } = {}): JWT {
  const client = new JWT({
    email: opts.email ?? EMAIL,
    key: opts.key ?? PEM,
    keyId: opts.keyId ?? 'kid-1',
    scopes: [SCOPE],
  });
  client.transporter.interceptors.request.add({
    resolved: (config) => {
      if (config.url.toString() === 'https://oauth2.googleapis.com/token')
        config.url = new URL(`${base}/token`);
      return Promise.resolve(config);
    },
  });
  return client;
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function handJwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' },
  pem = PEM,
): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), pem).toString('base64url')}`;
}

async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('service-account JWT grant through google-auth-library JWT; the token then authenticates', async (t) => {
  const { registry, base } = await setup(t);
  const { token } = await jwtClient(base).getAccessToken();
  t.truthy(token);
  t.regex(token ?? '', /^ya29\.emulator-/);
  t.like(registry.check(token ?? ''), { subject: EMAIL, scopes: [SCOPE] });
  const auth = createAuthenticator({ hmacKeys: new Map(), requireAuth: true, tokens: registry });
  t.deepEqual(
    await auth({
      method: 'GET',
      rawPath: '/b/o',
      rawQuery: '',
      headers: { authorization: `Bearer ${token ?? ''}` },
    }),
    {
      ok: true,
      principal: EMAIL,
      dialect: 'goog',
    },
  );
});

test('JWT grant signed with the wrong key fails with invalid_grant "Invalid JWT Signature."', async (t) => {
  const { base } = await setup(t);
  const err = await t.throwsAsync(jwtClient(base, { key: OTHER_PEM }).getAccessToken());
  t.regex(err.message, /invalid_grant: Invalid JWT Signature\./);
});

test('JWT grant for an unknown account fails with "Invalid grant: account not found"', async (t) => {
  const { base } = await setup(t);
  const err = await t.throwsAsync(
    jwtClient(base, { email: 'ghost@p.iam.gserviceaccount.com' }).getAccessToken(),
  );
  t.regex(err.message, /invalid_grant: Invalid grant: account not found/);
});

test('JWT grant checks aud, lifetime, kid and scope', async (t) => {
  const clock = new ManualClock(1_700_000_000_000);
  const { base } = await setup(t, clock);
  const iat = clock.now() / 1000;
  const good = { iss: EMAIL, scope: SCOPE, aud: `${base}/token`, iat, exp: iat + 3600 };
  const grant = (assertion: string) =>
    postForm(`${base}/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });

  const ok = await grant(handJwt(good, { alg: 'RS256', kid: 'kid-1' }));
  t.is(ok.status, 200);
  t.deepEqual(Object.keys(ok.body).sort(), ['access_token', 'expires_in', 'token_type']);
  t.like(ok.body, { expires_in: 3599, token_type: 'Bearer' });

  const shortLived = /^Invalid JWT: Token must be a short-lived token \(60 minutes\)/;
  const tooLong = await grant(handJwt({ ...good, exp: iat + 3601 }));
  t.is(tooLong.status, 400);
  t.is(tooLong.body['error'], 'invalid_grant');
  t.regex(String(tooLong.body['error_description']), shortLived);
  const expired = await grant(handJwt({ ...good, iat: iat - 4000, exp: iat - 400 }));
  t.regex(String(expired.body['error_description']), shortLived);
  const skewedOk = await grant(handJwt({ ...good, iat: iat + 200, exp: iat + 3000 }));
  t.is(skewedOk.status, 200);

  const wrongAud = await grant(handJwt({ ...good, aud: 'https://evil.example/token' }));
  t.like(wrongAud, { status: 400, body: { error: 'invalid_grant' } });
  t.regex(String(wrongAud.body['error_description']), /Failed audience check/);
  const wrongKid = await grant(handJwt(good, { alg: 'RS256', kid: 'kid-2' }));
  t.like(wrongKid, {
    status: 400,
    body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
  });
  const noScope = await grant(handJwt({ ...good, scope: undefined }));
  t.like(noScope, { status: 400, body: { error: 'invalid_scope' } });
  const garbage = await grant('not.a.jwt');
  t.like(garbage, { status: 400, body: { error: 'invalid_grant' } });
  const noAssertion = await postForm(`${base}/token`, {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  });
  t.like(noAssertion, { status: 400, body: { error: 'invalid_request' } });
});

test('refresh-token grant through google-auth-library UserRefreshClient', async (t) => {
  const { registry, base } = await setup(t);
  const client = new UserRefreshClient({
    clientId: 'client-1.apps',
    clientSecret: 's3cret',
    refreshToken: '1//refresh-a',
    endpoints: { oauth2TokenUrl: `${base}/token` },
  });
  const { token } = await client.getAccessToken();
  t.like(registry.check(token ?? ''), { subject: 'alice@example.com' });
});

test('refresh-token grant failures carry Google status and error pairs', async (t) => {
  const { registry, base } = await setup(t);
  const attempt = async (clientId: string, clientSecret: string, refreshToken: string) => {
    const client = new UserRefreshClient({
      clientId,
      clientSecret,
      refreshToken,
      endpoints: { oauth2TokenUrl: `${base}/token` },
    });
    const err = await t.throwsAsync(client.getAccessToken());
    const response = (err as unknown as { response?: { status: number; data: unknown } }).response;
    return { status: response?.status, data: response?.data };
  };
  t.deepEqual(await attempt('client-1.apps', 'wrong', '1//refresh-a'), {
    status: 401,
    data: { error: 'invalid_client', error_description: 'Unauthorized' },
  });
  t.deepEqual(await attempt('nobody.apps', 's3cret', '1//refresh-a'), {
    status: 401,
    data: { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
  });
  t.true(registry.revokeRefreshToken('1//refresh-a'));
  t.deepEqual(await attempt('client-1.apps', 's3cret', '1//refresh-a'), {
    status: 400,
    data: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
  });
});

test('refresh-token grant accepts client credentials as HTTP Basic and returns the scope', async (t) => {
  const { base } = await setup(t);
  const basic = 'Basic ' + Buffer.from('client-1.apps:s3cret').toString('base64');
  const ok = await postForm(
    `${base}/token`,
    { grant_type: 'refresh_token', refresh_token: '1//refresh-a' },
    { authorization: basic },
  );
  t.is(ok.status, 200);
  t.like(ok.body, {
    expires_in: 3599,
    token_type: 'Bearer',
    scope: 'https://www.googleapis.com/auth/devstorage.full_control',
  });
  const bad = 'Basic ' + Buffer.from('client-1.apps:nope').toString('base64');
  const denied = await postForm(
    `${base}/token`,
    { grant_type: 'refresh_token', refresh_token: '1//refresh-a' },
    { authorization: bad },
  );
  t.like(denied, { status: 401, body: { error: 'invalid_client' } });
  const noClient = await postForm(`${base}/token`, {
    grant_type: 'refresh_token',
    refresh_token: '1//refresh-a',
  });
  t.like(noClient, { status: 400, body: { error: 'invalid_request' } });
  const noToken = await postForm(`${base}/token`, {
    grant_type: 'refresh_token',
    client_id: 'client-1.apps',
    client_secret: 's3cret',
  });
  t.like(noToken, { status: 400, body: { error: 'invalid_request' } });
});

test('token endpoint: unsupported grant, wrong method, and other paths left alone', async (t) => {
  const { base } = await setup(t);
  const odd = await postForm(`${base}/token`, { grant_type: 'password' });
  t.deepEqual(odd, {
    status: 400,
    body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password' },
  });
  const get = await fetch(`${base}/token`);
  t.is(get.status, 405);
  t.is(get.headers.get('allow'), 'POST');
  t.is((await fetch(`${base}/tokens`, { method: 'POST' })).status, 404);
});

test('issued tokens expire after an hour by the registry clock', async (t) => {
  const clock = new ManualClock();
  const registry = new TokenRegistry({ clock });
  const { accessToken } = registry.issue('x', ['s']);
  await clock.advance(3599_000);
  t.truthy(registry.check(accessToken));
  await clock.advance(1000);
  t.is(registry.check(accessToken), undefined);
  t.is(registry.check('ya29.unknown'), undefined);
});

test('registerServiceAccount keeps only the public key and names what is wrong with a bad file', (t) => {
  const registry = new TokenRegistry();
  const account = registry.registerServiceAccount(keyFile());
  t.is(account.publicKey.type, 'public');
  t.is(account.privateKeyId, 'kid-1');
  t.throws(() => registry.registerServiceAccount({ ...keyFile(), type: 'authorized_user' }), {
    message: /type must be "service_account"/,
  });
  t.throws(() => registry.registerServiceAccount({ ...keyFile(), client_email: '' }), {
    message: /client_email/,
  });
  t.throws(() => registry.registerServiceAccount({ ...keyFile(), private_key: 'nope' }), {
    message: /unreadable private_key/,
  });
  t.throws(() => registry.registerServiceAccount('[1]'), { message: /JSON object/ });
});

test('self-signed JWT bearer tokens (google-auth-library JWTAccess, no scopes) are accepted when the key is registered', async (t) => {
  const { registry } = await setup(t);
  const headers = await new JWT({ email: EMAIL, key: PEM, keyId: 'kid-1' }).getRequestHeaders(
    'https://storage.googleapis.com/b/o',
  );
  const token = (headers.get('authorization') ?? '').replace(/^Bearer /, '');
  t.is(token.split('.').length, 3);
  t.like(registry.check(token), { subject: EMAIL });
  const forged = await new JWT({ email: EMAIL, key: OTHER_PEM }).getRequestHeaders(
    'https://storage.googleapis.com/b/o',
  );
  t.is(registry.check((forged.get('authorization') ?? '').replace(/^Bearer /, '')), undefined);
  const stale = handJwt({ iss: EMAIL, aud: 'https://storage.googleapis.com/', iat: 1000, exp: 4600 });
  t.is(registry.check(stale), undefined);
});
