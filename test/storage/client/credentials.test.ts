import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../common/logger.js';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { AnonymousCredentials } from '../../../storage/auth/anonymous.js';
import type { Credentials } from '../../../storage/auth/credentials.js';
import { HmacCredentials } from '../../../storage/auth/hmac.js';
import type { HmacSigning } from '../../../storage/auth/hmac.js';
import { keyFileCredentials, refreshTokenCredentials } from '../../../storage/auth/oauth2.js';
import { isStorageError } from '../../../storage/errors.js';
import { XmlApiBackend } from '../../../storage/client/xml-api-backend.js';
import { bytes, readAll, setup } from './helpers/setup.js';

const ACCESS_ID = 'GOOG1EXAMPLEACCESSID0123456789';
const SECRET = 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ';
const MiB = 1024 * 1024;

/** Touches every kind of request: bucket, single and resumable upload, odd names, ranges, list, copy, ACL. */
async function exercise(
  t: import('ava').ExecutionContext,
  backend: XmlApiBackend,
  bucket: string,
): Promise<void> {
  await backend.createBucket(bucket);
  const name = 'dir/ünï cödé+%/./x';
  await backend.writeObject(bucket, name, Buffer.from('hello'), {
    metadata: { a: 'b' },
    contentType: 'text/plain',
  });
  const big = bytes(3 * MiB);
  await backend.writeObject(bucket, 'big', big, { ifGenerationMatch: '0' });
  t.is((await readAll((await backend.readObject(bucket, name)).body)).toString(), 'hello');
  t.deepEqual((await backend.statObject(bucket, name)).metadata, { a: 'b' });
  const r = await backend.readObject(bucket, 'big', { range: { start: 10, end: 20 } });
  t.true((await readAll(r.body)).equals(big.subarray(10, 21)));
  const page = await backend.listPage(bucket, { prefix: 'dir/', delimiter: '/' });
  t.deepEqual(page.prefixes, ['dir/ünï cödé+%/']);
  await backend.copyObject({ bucket, name }, { bucket, name: 'copy' });
  await backend.setAcl({ kind: 'object', bucket, name: 'copy' }, 'private');
  t.truthy(await backend.getAcl({ kind: 'object', bucket, name: 'copy' }));
  t.true((await backend.listBuckets()).some((b) => b.name === bucket));
  await backend.deleteObject(bucket, 'copy');
}

for (const signing of ['GOOG4', 'GOOG1', 'AWS4', 'AWS'] as HmacSigning[]) {
  test(`HMAC ${signing}: every request kind is signed and verified by the emulator`, async (t) => {
    const { backend } = await setup(t, {
      emulator: { hmacKeys: new Map([[ACCESS_ID, SECRET]]), requireAuth: true },
      backend: {
        credentials: new HmacCredentials({ accessId: ACCESS_ID, secret: SECRET, signing }),
        uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB },
      },
      bucket: false,
    });
    await exercise(t, backend, 'hmac-bucket');
  });
}

test('HMAC with a wrong secret: credentials error that names the key, never the secret', async (t) => {
  const wrong = 'WRONGsecretWRONGsecretWRONGsecretWRONG00';
  const { backend } = await setup(t, {
    emulator: { hmacKeys: new Map([[ACCESS_ID, SECRET]]), requireAuth: true },
    backend: { credentials: new HmacCredentials({ accessId: ACCESS_ID, secret: wrong }) },
    bucket: false,
  });
  const e = await t.throwsAsync(backend.listBuckets());
  t.true(isStorageError(e, 'credentials'), String(e));
  t.regex(e.message, /HMAC key GOOG1EXA/);
  t.regex(e.message, /secret/);
  t.false(e.message.includes(wrong));
  t.false(e.message.includes(SECRET));
});

test('service-account key file: tokens from the emulator token endpoint authorize requests', async (t) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-sa-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const keyJson = (tokenUri: string): string =>
    JSON.stringify({
      type: 'service_account',
      project_id: 'test-project',
      client_email: 'sa@test-project.iam.gserviceaccount.com',
      private_key: pem,
      private_key_id: 'key-1',
      client_id: '1234567890',
      token_uri: tokenUri,
    });
  // The emulator must know the key before it starts; its URL is known only after, so register twice.
  const placeholder = keyJson('http://127.0.0.1/token');
  const { emu, backend: anonymous } = await setup(t, {
    emulator: { serviceAccounts: [placeholder], requireAuth: true },
    bucket: false,
  });
  const file = path.join(dir, 'key.json');
  await writeFile(file, keyJson(`${emu.url}/token`));
  const credentials = await keyFileCredentials(file, 'test');
  const backend = new XmlApiBackend({
    endpoint: emu.url,
    credentials,
    project: 'test-project',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB },
  });
  t.teardown(() => backend.close());
  await exercise(t, backend, 'sa-bucket');
  const denied = await t.throwsAsync(anonymous.listPage('sa-bucket'));
  t.true(isStorageError(denied, 'unauthenticated') || isStorageError(denied, 'forbidden'), String(denied));
});

async function bearer(credentials: Credentials): Promise<string> {
  const headers: Record<string, string> = {};
  await credentials.authorize({ method: 'GET', url: new URL('http://x/'), headers });
  return (headers['authorization'] ?? '').replace(/^Bearer /, '');
}

test('refresh token: works end to end, and a revoked access token is refreshed once after a 401', async (t) => {
  const user = { clientId: 'client-1', clientSecret: 'client-secret-1', refreshToken: 'refresh-1' };
  const { emu } = await setup(t, { emulator: { users: [user], requireAuth: true }, bucket: false });
  const credentials = refreshTokenCredentials(user, 'test', { tokenUrl: `${emu.url}/token` });
  const backend = new XmlApiBackend({
    endpoint: emu.url,
    credentials,
    project: 'test-project',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB },
  });
  t.teardown(() => backend.close());
  await exercise(t, backend, 'user-bucket');
  const token = await bearer(credentials);
  t.true(emu.tokens.revokeAccessToken(token));
  const meta = await backend.statObject('user-bucket', 'big');
  t.is(meta.size, 3 * MiB);
  t.not(await bearer(credentials), token);
  // A revoked refresh token cannot be rescued by a retry: the error says which credential failed.
  t.true(emu.tokens.revokeRefreshToken(user.refreshToken));
  t.true(emu.tokens.revokeAccessToken(await bearer(credentials)));
  const e = await t.throwsAsync(backend.statObject('user-bucket', 'big'));
  t.true(isStorageError(e, 'credentials') || isStorageError(e, 'unauthenticated'), String(e));
  t.false(e.message.includes(user.clientSecret));
  t.false(e.message.includes(user.refreshToken));
});

test('anonymous against an emulator that requires auth is denied', async (t) => {
  const { backend } = await setup(t, {
    emulator: { requireAuth: true },
    backend: { credentials: new AnonymousCredentials() },
    bucket: false,
  });
  const e = await t.throwsAsync(backend.listBuckets());
  t.true(isStorageError(e, 'unauthenticated') || isStorageError(e, 'forbidden'), String(e));
  t.regex(e.message, /anonymous/);
});

test('a 401 triggers exactly one invalidate-and-retry; debug logs never carry the token', async (t) => {
  const user = { clientId: 'client-2', clientSecret: 'client-secret-2', refreshToken: 'refresh-2' };
  const { emu } = await setup(t, { emulator: { users: [user], requireAuth: true }, bucket: false });
  const inner = refreshTokenCredentials(user, 'test', { tokenUrl: `${emu.url}/token` });
  let invalidations = 0;
  let authorizations = 0;
  const stale = 'ya29.not-a-token-this-emulator-issued';
  const credentials: Credentials = {
    description: inner.description,
    async authorize(request, signal) {
      authorizations++;
      await inner.authorize(request, signal);
      // Until invalidated, send a token the emulator never issued.
      if (invalidations === 0) request.headers['authorization'] = `Bearer ${stale}`;
    },
    invalidate() {
      invalidations++;
      return inner.invalidate();
    },
  };
  const lines: string[] = [];
  const backend = new XmlApiBackend({
    endpoint: emu.url,
    credentials,
    project: 'test-project',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
  });
  t.teardown(() => backend.close());
  await backend.createBucket('once-bucket');
  t.is(invalidations, 1);
  t.is(authorizations, 2);
  emu.faults.set(parseFaultSpec('methods=HEAD,times=2,status=503'));
  await backend.headBucket('once-bucket');
  const token = await bearer(inner);
  t.true(lines.some((l) => l.includes('retrying')));
  t.false(lines.some((l) => l.includes(token) || l.includes(stale) || /Bearer/i.test(l)));
});
