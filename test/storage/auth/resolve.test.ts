import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBotoFiles, type BotoSettings } from '../../../storage/auth/boto-config.js';
import { AnonymousCredentials } from '../../../storage/auth/anonymous.js';
import { HmacCredentials } from '../../../storage/auth/hmac.js';
import {
  chooseCredentials,
  NO_CREDENTIALS_HELP,
  resolveCredentials,
  type CredentialChoice,
  type ResolveOptions,
} from '../../../storage/auth/resolve.js';
import { isStorageError, StorageError } from '../../../storage/errors.js';
import { startTokenServer } from './token-server.js';

const boto = (text: string): BotoSettings => parseBotoFiles(text === '' ? [] : [{ path: '/h/.boto', text }]);

const HMAC_BOTO = '[Credentials]\ngs_access_key_id = GOOG1EBOTO\ngs_secret_access_key = botosecret\n';
const TOKEN_BOTO = '[Credentials]\ngs_oauth2_refresh_token = 1//boto-refresh\n';
const OAUTH_SECTION = '[OAuth2]\nclient_id = boto-client\nclient_secret = boto-secret\n';
const KEY_BOTO = '[Credentials]\ngs_service_key_file = /keys/boto.json\n';

interface Row {
  name: string;
  flags?: ResolveOptions;
  env?: Record<string, string>;
  boto?: string;
  expect: Partial<CredentialChoice> | RegExp;
}

const rows: Row[] = [
  { name: 'nothing configured -> ADC', expect: { kind: 'adc', source: 'application default credentials' } },
  { name: '--anonymous', flags: { anonymous: true }, boto: HMAC_BOTO, expect: { kind: 'anonymous' } },
  {
    name: '--key-file beats env and .boto',
    flags: { keyFile: '/k.json' },
    env: { GOOGLE_APPLICATION_CREDENTIALS: '/env.json', GS_ACCESS_KEY_ID: 'a', GS_SECRET_ACCESS_KEY: 'b' },
    boto: TOKEN_BOTO + OAUTH_SECTION,
    expect: { kind: 'key-file', path: '/k.json', source: '--key-file' },
  },
  {
    name: 'HMAC flags beat env',
    flags: { hmacAccessId: 'GOOG1EFLAG', hmacSecret: 's' },
    env: { GOOGLE_APPLICATION_CREDENTIALS: '/env.json' },
    expect: { kind: 'hmac', accessId: 'GOOG1EFLAG', secret: 's', source: 'HMAC key from flags' },
  },
  {
    name: '--anonymous with --key-file contradict',
    flags: { anonymous: true, keyFile: '/k.json' },
    expect: /--anonymous and --key-file contradict each other/,
  },
  {
    name: '--key-file with an HMAC key contradict',
    flags: { keyFile: '/k.json', hmacAccessId: 'x', hmacSecret: 'y' },
    expect: /--key-file and an HMAC key contradict/,
  },
  {
    name: 'HMAC flag id without secret',
    flags: { hmacAccessId: 'x' },
    expect: /^flags: the HMAC access id is set but the HMAC secret is not/,
  },
  {
    name: 'GOOGLE_APPLICATION_CREDENTIALS beats GS_* and .boto',
    env: { GOOGLE_APPLICATION_CREDENTIALS: '/env.json', GS_ACCESS_KEY_ID: 'a', GS_SECRET_ACCESS_KEY: 'b' },
    boto: KEY_BOTO,
    expect: { kind: 'key-file', path: '/env.json', source: 'GOOGLE_APPLICATION_CREDENTIALS' },
  },
  {
    name: 'GS_ACCESS_KEY_ID/GS_SECRET_ACCESS_KEY beat .boto',
    env: { GS_ACCESS_KEY_ID: 'GOOG1EENV', GS_SECRET_ACCESS_KEY: 'envsecret' },
    boto: TOKEN_BOTO + OAUTH_SECTION,
    expect: { kind: 'hmac', accessId: 'GOOG1EENV', secret: 'envsecret', source: 'HMAC key from environment' },
  },
  {
    name: 'GS_SECRET_ACCESS_KEY alone',
    env: { GS_SECRET_ACCESS_KEY: 'envsecret' },
    expect: /^environment: GS_SECRET_ACCESS_KEY is set but GS_ACCESS_KEY_ID is not/,
  },
  {
    name: 'empty env vars count as unset',
    env: { GOOGLE_APPLICATION_CREDENTIALS: '', GS_ACCESS_KEY_ID: '' },
    expect: { kind: 'adc' },
  },
  {
    name: '.boto service key',
    boto: KEY_BOTO,
    expect: { kind: 'key-file', path: '/keys/boto.json', source: '.boto (/h/.boto) gs_service_key_file' },
  },
  {
    name: '.boto refresh token and service key both: error like gsutil',
    boto: '[Credentials]\ngs_oauth2_refresh_token = t\ngs_service_key_file = /k.json\n',
    expect: /sets both gs_oauth2_refresh_token and gs_service_key_file/,
  },
  {
    name: '.boto refresh token: client from [OAuth2] first',
    flags: { clientId: 'flag-client', clientSecret: 'flag-secret' },
    env: { OAUTH2_CLIENT_ID: 'env-client', OAUTH2_CLIENT_SECRET: 'env-secret' },
    boto: TOKEN_BOTO + OAUTH_SECTION,
    expect: {
      kind: 'refresh-token',
      refreshToken: '1//boto-refresh',
      clientId: 'boto-client',
      clientSecret: 'boto-secret',
      source: '.boto (/h/.boto) gs_oauth2_refresh_token',
    },
  },
  {
    name: '.boto refresh token: then OAUTH2_CLIENT_ID/SECRET',
    flags: { clientId: 'flag-client', clientSecret: 'flag-secret' },
    env: { OAUTH2_CLIENT_ID: 'env-client', OAUTH2_CLIENT_SECRET: 'env-secret' },
    boto: TOKEN_BOTO,
    expect: { kind: 'refresh-token', clientId: 'env-client', clientSecret: 'env-secret' },
  },
  {
    name: '.boto refresh token: flags as the last fallback, each value separately',
    flags: { clientId: 'flag-client', clientSecret: 'flag-secret' },
    env: { OAUTH2_CLIENT_SECRET: 'env-secret' },
    boto: TOKEN_BOTO,
    expect: { kind: 'refresh-token', clientId: 'flag-client', clientSecret: 'env-secret' },
  },
  {
    name: '.boto refresh token without a client secret',
    env: { OAUTH2_CLIENT_ID: 'env-client' },
    boto: TOKEN_BOTO,
    expect:
      /no OAuth client secret: set \[OAuth2\] client_id\/client_secret .* OAUTH2_CLIENT_ID\/OAUTH2_CLIENT_SECRET, or --client-id/,
  },
  {
    name: '.boto OAuth2 wins over .boto HMAC, as boto does',
    boto: HMAC_BOTO + 'gs_oauth2_refresh_token = 1//r\n' + OAUTH_SECTION,
    expect: { kind: 'refresh-token', refreshToken: '1//r' },
  },
  {
    name: '.boto HMAC key',
    boto: HMAC_BOTO,
    expect: {
      kind: 'hmac',
      accessId: 'GOOG1EBOTO',
      secret: 'botosecret',
      source: 'HMAC key from .boto (/h/.boto)',
    },
  },
  {
    name: '.boto HMAC id without secret',
    boto: '[Credentials]\ngs_access_key_id = GOOG1EBOTO\n',
    expect: /^\.boto \(\/h\/\.boto\): gs_access_key_id is set but gs_secret_access_key is not/,
  },
  {
    name: '.boto [GoogleCompute] service_account -> metadata server',
    boto: '[GoogleCompute]\nservice_account = default\n' + HMAC_BOTO,
    expect: { kind: 'adc', source: '.boto (/h/.boto) [GoogleCompute] service_account (metadata server)' },
  },
];

for (const row of rows) {
  test(`choose: ${row.name}`, (t) => {
    const run = () => chooseCredentials(row.flags ?? {}, row.env ?? {}, boto(row.boto ?? ''));
    if (row.expect instanceof RegExp) {
      const e = t.throws(run, { instanceOf: StorageError, message: row.expect });
      t.true(isStorageError(e, 'credentials'));
      for (const secret of ['botosecret', 'boto-secret', 'envsecret', '1//boto-refresh']) {
        t.false(e.message.includes(secret));
      }
    } else {
      t.like(run(), row.expect);
    }
  });
}

test('resolve: .boto HMAC gives HMAC credentials, the .boto endpoint and default project', async (t) => {
  const settings = boto(
    HMAC_BOTO +
      'gs_host = 127.0.0.1\ngs_port = 4443\n[Boto]\nis_secure = False\n[GSUtil]\ndefault_project_id = p1\n',
  );
  const r = await resolveCredentials({}, {}, settings);
  t.true(r.credentials instanceof HmacCredentials);
  t.is(r.credentials.description, 'HMAC key GOOG1EBO…');
  t.is(r.endpoint, 'http://127.0.0.1:4443');
  t.is(r.projectId, 'p1');
  t.is(r.source, 'HMAC key from .boto (/h/.boto)');

  const flagged = await resolveCredentials(
    { project: 'p2', endpoint: 'http://localhost:9', hmacSigning: 'GOOG1' },
    {},
    settings,
  );
  t.is(flagged.projectId, 'p2');
  t.is(flagged.endpoint, 'http://localhost:9');
  t.true(flagged.credentials instanceof HmacCredentials && flagged.credentials.signing === 'GOOG1');
});

test('resolve: no endpoint when neither flags nor .boto name one', async (t) => {
  const r = await resolveCredentials({ anonymous: true }, {}, boto(''));
  t.true(r.credentials instanceof AnonymousCredentials);
  t.is(r.endpoint, undefined);
  t.is(r.projectId, undefined);
});

test('resolve: ADC failure is an error listing the options, unless anonymous fallback is allowed', async (t) => {
  const adc = () =>
    Promise.reject(new StorageError('credentials', 'no application default credentials found'));
  const e = await t.throwsAsync(resolveCredentials({}, {}, boto(''), { adc }), { instanceOf: StorageError });
  t.true(e.message.startsWith(NO_CREDENTIALS_HELP));
  t.regex(e.message, /--key-file.*GOOGLE_APPLICATION_CREDENTIALS.*gs_oauth2_refresh_token.*--anonymous/);
  const r = await resolveCredentials({ allowAnonymousFallback: true }, {}, boto(''), { adc });
  t.true(r.credentials instanceof AnonymousCredentials);
  t.is(r.source, 'anonymous (nothing else configured)');
});

test('resolve: ADC success passes read-only and token URL through and takes its project', async (t) => {
  let seen: unknown;
  const fake = {
    description: 'fake adc',
    authorize: () => Promise.resolve(),
    invalidate: () => true,
    projectId: 'adc-p',
  };
  const adc = (o: unknown) => {
    seen = o;
    return Promise.resolve(fake);
  };
  const r = await resolveCredentials({ readOnly: true, tokenUrl: 'http://t/token' }, {}, boto(''), { adc });
  t.is(r.credentials, fake);
  t.is(r.projectId, 'adc-p');
  t.like(seen, { readOnly: true, tokenUrl: 'http://t/token' });
});

test('resolve: .boto service key uses [OAuth2] provider_token_uri and the key project', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = 'boto@p.iam.gserviceaccount.com';
  const server = await startTokenServer({ serviceAccounts: new Map([[email, publicKey]]) });
  const dir = await mkdtemp(join(tmpdir(), 'resolve-'));
  t.teardown(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const keyPath = join(dir, 'key.json');
  await writeFile(
    keyPath,
    JSON.stringify({
      type: 'service_account',
      project_id: 'key-project',
      client_email: email,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    }),
  );
  const settings = boto(
    `${HMAC_BOTO}gs_service_key_file = ${keyPath}\n[OAuth2]\nprovider_token_uri = ${server.tokenUrl}\n`,
  );
  const r = await resolveCredentials({}, {}, settings);
  t.is(r.projectId, 'key-project');
  t.is(r.source, '.boto (/h/.boto) gs_service_key_file');
  const headers: Record<string, string> = {};
  await r.credentials.authorize({ method: 'GET', url: new URL('http://127.0.0.1:1/b'), headers });
  t.is(headers['authorization'], 'Bearer ya29.test-1');
  t.is(server.claims[0]?.['aud'], server.tokenUrl);
});

test('resolve: a missing key file named by the environment is a credentials error', async (t) => {
  await t.throwsAsync(
    resolveCredentials({}, { GOOGLE_APPLICATION_CREDENTIALS: '/nope/key.json' }, boto('')),
    {
      instanceOf: StorageError,
      message: /\/nope\/key\.json \(from GOOGLE_APPLICATION_CREDENTIALS\) does not exist/,
    },
  );
});

test('an anonymous or HMAC mount never loads google-auth-library; an OAuth2 credential does', async (t) => {
  // In a fresh process: this worker may have loaded the library for other tests.
  const { execFile } = await import('node:child_process');
  const script = `
    import { createRequire } from 'node:module';
    import { resolveCredentials } from './storage/auth/resolve.ts';
    import { parseBotoFiles } from './storage/auth/boto-config.ts';
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/google-auth-library/'));
    const boto = parseBotoFiles([]);
    await resolveCredentials({ anonymous: true }, {}, boto);
    await resolveCredentials({ hmacAccessId: 'GOOG1EXAMPLE', hmacSecret: 'c2VjcmV0' }, {}, boto);
    const before = loaded();
    // A key file that is not there: the credential is OAuth2, so the library loads before the file is read.
    await resolveCredentials({ keyFile: '/nonexistent/key.json' }, {}, boto).catch(() => undefined);
    console.log(JSON.stringify({ before, after: loaded() }));`;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import=tsx', '--input-type=module', '-e', script],
      { cwd: join(import.meta.dirname, '../../..') },
      (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)),
    ),
  );
  t.deepEqual(JSON.parse(out.trim()) as unknown, { before: false, after: true });
});
