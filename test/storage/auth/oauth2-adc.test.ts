// Application default credentials read process.env (google-auth-library and gcp-metadata offer no other
// seam), so these tests run serially in their own file (ava gives each file its own process).
import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gcpMetadata } from 'google-auth-library';
import { applicationDefaultCredentials } from '../../../storage/auth/oauth2.js';
import { isStorageError } from '../../../storage/errors.js';
import { startTokenServer } from './token-server.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const EMAIL = 'adc@test-project.iam.gserviceaccount.com';

// gcp-metadata caches "is there a metadata server" per process.
test.beforeEach(() => {
  gcpMetadata.resetIsAvailableCache();
});

const request = () => ({
  method: 'GET',
  url: new URL('http://127.0.0.1:1/b/o'),
  headers: {} as Record<string, string>,
});

test.serial('ADC from the GCE metadata server (GCE_METADATA_HOST)', async (t) => {
  const server = await startTokenServer();
  const gcloud = await mkdtemp(join(tmpdir(), 'gcloud-'));
  t.teardown(async () => {
    await server.close();
    await rm(gcloud, { recursive: true, force: true });
  });
  delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  process.env['CLOUDSDK_CONFIG'] = gcloud; // no well-known gcloud file
  process.env['GCE_METADATA_HOST'] = server.host;
  const creds = await applicationDefaultCredentials();
  t.is(creds.description, 'application default credentials (metadata server)');
  t.is(creds.projectId, 'metadata-project');
  const r = request();
  await creds.authorize(r);
  t.is(r.headers['authorization'], 'Bearer ya29.metadata-1');
  t.true(creds.invalidate());
  await creds.authorize(r);
  t.is(r.headers['authorization'], 'Bearer ya29.metadata-2');
});

test.serial('ADC from GOOGLE_APPLICATION_CREDENTIALS with the token URL redirected', async (t) => {
  const server = await startTokenServer({ serviceAccounts: new Map([[EMAIL, publicKey]]) });
  const dir = await mkdtemp(join(tmpdir(), 'adc-'));
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
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: EMAIL,
    }),
  );
  process.env['GOOGLE_APPLICATION_CREDENTIALS'] = keyPath;
  const creds = await applicationDefaultCredentials({ tokenUrl: server.tokenUrl, readOnly: true });
  t.is(creds.projectId, 'key-project');
  t.is(creds.description, `application default credentials (service account ${EMAIL})`);
  const r = request();
  await creds.authorize(r);
  t.is(r.headers['authorization'], 'Bearer ya29.test-1');
  t.is(server.claims[0]?.['iss'], EMAIL);
  t.is(server.claims[0]?.['aud'], server.tokenUrl);
});

test.serial('no ADC at all is a credentials error that lists the options', async (t) => {
  const gcloud = await mkdtemp(join(tmpdir(), 'gcloud-'));
  t.teardown(() => rm(gcloud, { recursive: true, force: true }));
  const closed = await startTokenServer();
  await closed.close();
  delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  process.env['CLOUDSDK_CONFIG'] = gcloud;
  process.env['GCE_METADATA_HOST'] = closed.host; // nothing listens there
  const e = await t.throwsAsync(applicationDefaultCredentials());
  t.true(isStorageError(e, 'credentials'));
  t.regex(e.message, /^no application default credentials found/);
});

test.serial('a malformed gcloud ADC file is reported without quoting it', async (t) => {
  const gcloud = await mkdtemp(join(tmpdir(), 'gcloud-'));
  t.teardown(() => rm(gcloud, { recursive: true, force: true }));
  await writeFile(join(gcloud, 'application_default_credentials.json'), '{"refresh_token": "1//SECRETVALUE');
  delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  process.env['CLOUDSDK_CONFIG'] = gcloud;
  const e = await t.throwsAsync(applicationDefaultCredentials());
  t.true(isStorageError(e, 'credentials'));
  t.regex(e.message, /a credentials file is not valid JSON$/);
  t.false(e.message.includes('SECRETVALUE'));
});
