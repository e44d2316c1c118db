import test, { type ExecutionContext } from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../common/logger.js';
import { isStorageError, StorageError } from '../../../storage/errors.js';
import {
  keyFileCredentials,
  refreshTokenCredentials,
  SCOPE_FULL_CONTROL,
  SCOPE_READ_ONLY,
} from '../../../storage/auth/oauth2.js';
import type { RequestToSign } from '../../../storage/auth/credentials.js';
import { startTokenServer, type TokenServer } from './token-server.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PEM_BODY = PRIVATE_PEM.split('\n')[5] ?? ''; // a line from the middle of the key
const EMAIL = 'mounter@test-project.iam.gserviceaccount.com';
const REFRESH_TOKEN = '1//0gRefreshTokenValue-abcdef';
const CLIENT_ID = '123-test.apps.googleusercontent.com';
const CLIENT_SECRET = 'GOCSPX-client-secret-value';

const request = (): RequestToSign => ({
  method: 'GET',
  url: new URL('http://127.0.0.1:1/bucket/object'),
  headers: {},
});

interface Fixture {
  server: TokenServer;
  dir: string;
  keyFile: (contents: unknown) => Promise<string>;
}

async function fixture(
  t: { teardown: (fn: () => Promise<void>) => void },
  options: Parameters<typeof startTokenServer>[0] = {},
): Promise<Fixture> {
  const server = await startTokenServer({
    serviceAccounts: new Map([[EMAIL, publicKey]]),
    refreshTokens: new Map([[REFRESH_TOKEN, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }]]),
    ...options,
  });
  const dir = await mkdtemp(join(tmpdir(), 'oauth2-'));
  t.teardown(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  let n = 0;
  return {
    server,
    dir,
    keyFile: async (contents) => {
      const path = join(dir, `key-${++n}.json`);
      await writeFile(path, typeof contents === 'string' ? contents : JSON.stringify(contents));
      return path;
    },
  };
}

const serviceAccountKey = (extra: Record<string, unknown> = {}) => ({
  type: 'service_account',
  project_id: 'test-project',
  private_key_id: 'k1',
  private_key: PRIVATE_PEM,
  client_email: EMAIL,
  client_id: '1234',
  ...extra,
});

test('service-account key: JWT grant against the configured token URL, token cached, invalidate refreshes', async (t) => {
  const f = await fixture(t);
  const path = await f.keyFile(serviceAccountKey());
  const creds = await keyFileCredentials(path, '--key-file', { tokenUrl: f.server.tokenUrl });
  t.is(creds.description, `service-account key ${path} (${EMAIL})`);
  t.is(creds.projectId, 'test-project');

  const r1 = request();
  await creds.authorize(r1);
  t.is(r1.headers['authorization'], 'Bearer ya29.test-1');
  const claims = f.server.claims[0] ?? {};
  t.is(claims['iss'], EMAIL);
  t.is(claims['scope'], SCOPE_FULL_CONTROL);
  t.is(claims['aud'], f.server.tokenUrl);

  const r2 = request();
  await creds.authorize(r2);
  t.is(r2.headers['authorization'], 'Bearer ya29.test-1');
  t.is(f.server.issued.length, 1);

  t.true(creds.invalidate());
  const r3 = request();
  await creds.authorize(r3);
  t.is(r3.headers['authorization'], 'Bearer ya29.test-2');
});

test("service-account key: read_only scope when asked; the key file's token_uri is honoured", async (t) => {
  const f = await fixture(t);
  const path = await f.keyFile(serviceAccountKey({ token_uri: f.server.tokenUrl }));
  const creds = await keyFileCredentials(path, 'GOOGLE_APPLICATION_CREDENTIALS', { readOnly: true });
  const r = request();
  await creds.authorize(r);
  t.is(r.headers['authorization'], 'Bearer ya29.test-1');
  t.is(f.server.claims[0]?.['scope'], SCOPE_READ_ONLY);
});

test('a token with less than 300 s left is refreshed before use', async (t) => {
  const f = await fixture(t, { expiresIn: 200 });
  const creds = refreshTokenCredentials(
    { refreshToken: REFRESH_TOKEN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    '.boto gs_oauth2_refresh_token (/h/.boto)',
    { tokenUrl: f.server.tokenUrl },
  );
  const r1 = request();
  await creds.authorize(r1);
  const r2 = request();
  await creds.authorize(r2);
  t.is(r1.headers['authorization'], 'Bearer ya29.test-1');
  t.is(r2.headers['authorization'], 'Bearer ya29.test-2');
});

test('refresh token: token obtained with client id/secret, cached, and re-fetched after invalidate', async (t) => {
  const f = await fixture(t);
  const creds = refreshTokenCredentials(
    { refreshToken: REFRESH_TOKEN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    '.boto gs_oauth2_refresh_token (/h/.boto)',
    { tokenUrl: f.server.tokenUrl },
  );
  t.is(
    creds.description,
    `refresh token from .boto gs_oauth2_refresh_token (/h/.boto) (OAuth client ${CLIENT_ID})`,
  );
  const r = request();
  await Promise.all([creds.authorize(r), creds.authorize(request())]);
  t.is(r.headers['authorization'], 'Bearer ya29.test-1');
  t.is(f.server.issued.length, 1, 'concurrent first uses share one refresh');
  t.true(creds.invalidate());
  await creds.authorize(r);
  t.is(r.headers['authorization'], 'Bearer ya29.test-2');
});

test('authorized_user JSON file (gcloud ADC format) is read as a refresh token', async (t) => {
  const f = await fixture(t);
  const path = await f.keyFile({
    type: 'authorized_user',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    refresh_token: REFRESH_TOKEN,
  });
  const creds = await keyFileCredentials(path, 'GOOGLE_APPLICATION_CREDENTIALS', {
    tokenUrl: f.server.tokenUrl,
  });
  const r = request();
  await creds.authorize(r);
  t.is(r.headers['authorization'], 'Bearer ya29.test-1');
  t.regex(creds.description, /^user credentials .*key-1\.json/);
});

// Every error message and log line produced below is collected and checked for secrets at the end.
const messages: string[] = [];
const logger = createLogger({ level: 'debug', write: (line) => messages.push(line) });
const expectError = async (
  t: ExecutionContext,
  p: Promise<unknown>,
  code: StorageError['code'],
  message: RegExp,
): Promise<StorageError> => {
  const e = await t.throwsAsync(p, { instanceOf: StorageError, message });
  t.true(isStorageError(e, code), `code ${e.code}`);
  messages.push(e.message, e.cause instanceof Error ? e.cause.message : '', JSON.stringify(e));
  return e;
};

test('revoked refresh token: typed credentials error naming the source and what to do', async (t) => {
  const f = await fixture(t);
  const creds = refreshTokenCredentials(
    { refreshToken: `${REFRESH_TOKEN}-revoked`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    '.boto gs_oauth2_refresh_token (/h/.boto)',
    { tokenUrl: f.server.tokenUrl, logger },
  );
  const e = await expectError(
    t,
    creds.authorize(request()),
    'credentials',
    /^refresh token from \.boto gs_oauth2_refresh_token \(\/h\/\.boto\) \(OAuth client 123-test\.apps\.googleusercontent\.com\) was refused by the token endpoint \(invalid_grant: Token has been expired or revoked\.\): the refresh token may have been revoked .*gsutil config/,
  );
  t.is(e.serviceCode, 'invalid_grant');
  t.is(e.status, 400);
});

test('wrong client secret: invalid_client says to check the client id/secret', async (t) => {
  const f = await fixture(t);
  const creds = refreshTokenCredentials(
    { refreshToken: REFRESH_TOKEN, clientId: CLIENT_ID, clientSecret: `${CLIENT_SECRET}-wrong` },
    '--client-id',
    { tokenUrl: f.server.tokenUrl, logger },
  );
  await expectError(t, creds.authorize(request()), 'credentials', /invalid_client.*check them/);
});

test('service-account key the server does not accept: credentials error naming file and email', async (t) => {
  const f = await fixture(t, { serviceAccounts: new Map() });
  const path = await f.keyFile(serviceAccountKey());
  const creds = await keyFileCredentials(path, '--key-file', { tokenUrl: f.server.tokenUrl, logger });
  await expectError(
    t,
    creds.authorize(request()),
    'credentials',
    new RegExp(`^service-account key ${path} \\(${EMAIL}\\) was refused .*invalid_grant.*create a new key`),
  );
});

test('missing key file', async (t) => {
  await expectError(
    t,
    keyFileCredentials('/nonexistent/key.json', 'GOOGLE_APPLICATION_CREDENTIALS'),
    'credentials',
    /^credentials file \/nonexistent\/key\.json \(from GOOGLE_APPLICATION_CREDENTIALS\) does not exist: check GOOGLE_APPLICATION_CREDENTIALS$/,
  );
});

test('malformed JSON never quotes the file', async (t) => {
  const f = await fixture(t);
  const path = await f.keyFile(JSON.stringify(serviceAccountKey()).slice(0, -40));
  await expectError(t, keyFileCredentials(path, '--key-file'), 'credentials', /is not valid JSON.*truncated/);
  const notJson = await f.keyFile(`private_key=${PEM_BODY}`);
  await expectError(t, keyFileCredentials(notJson, '--key-file'), 'credentials', /is not valid JSON/);
});

test('missing fields, P12 and unknown types are explained', async (t) => {
  const f = await fixture(t);
  const noKey = await f.keyFile({ type: 'service_account', client_email: EMAIL });
  await expectError(t, keyFileCredentials(noKey, '--key-file'), 'credentials', /lacks private_key; create/);
  const p12 = await f.keyFile('\u0030\u0082binary');
  await expectError(t, keyFileCredentials(p12, '--key-file'), 'credentials', /legacy P12 key/);
  const ext = await f.keyFile({ type: 'external_account' });
  await expectError(t, keyFileCredentials(ext, '--key-file'), 'credentials', /type 'external_account'/);
  const arr = await f.keyFile([]);
  await expectError(t, keyFileCredentials(arr, '--key-file'), 'credentials', /not a JSON object/);
});

test('a malformed private key is a credentials error, not a network one', async (t) => {
  const f = await fixture(t);
  const path = await f.keyFile(
    serviceAccountKey({ private_key: `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n` }),
  );
  const creds = await keyFileCredentials(path, '--key-file', { tokenUrl: f.server.tokenUrl });
  await expectError(t, creds.authorize(request()), 'credentials', /could not request a token/);
});

test('token endpoint errors: 5xx is unavailable, refused connection is network', async (t) => {
  const f = await fixture(t, { failWith: 503 });
  const input = { refreshToken: REFRESH_TOKEN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  const busy = refreshTokenCredentials(input, 'test', { tokenUrl: f.server.tokenUrl, logger });
  await expectError(t, busy.authorize(request()), 'unavailable', /answered HTTP 503; try again later/);
  const closed = await startTokenServer();
  await closed.close();
  const down = refreshTokenCredentials(input, 'test', { tokenUrl: closed.tokenUrl, logger });
  await expectError(t, down.authorize(request()), 'network', /could not reach the token endpoint/);
});

test('an aborted authorize rejects with aborted', async (t) => {
  const f = await fixture(t);
  const creds = refreshTokenCredentials(
    { refreshToken: REFRESH_TOKEN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    'test',
    { tokenUrl: f.server.tokenUrl },
  );
  const ac = new AbortController();
  ac.abort(new Error('unmounting'));
  await t.throwsAsync(creds.authorize(request(), ac.signal), {
    instanceOf: StorageError,
    message: /aborted/,
  });
});

test.after.always('no error message contains a secret or token', (t) => {
  t.true(messages.length > 15, `collected ${messages.length}`);
  t.true(messages.filter((m) => m.includes('WARN could not obtain an access token')).length >= 5);
  const all = messages.join('\n');
  for (const secret of [REFRESH_TOKEN, CLIENT_SECRET, PEM_BODY, 'ya29.', 'PRIVATE KEY']) {
    t.false(all.includes(secret), `a message contains ${secret.slice(0, 12)}`);
  }
});
