import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { ManualClock } from '../../../common/clock.js';
import { setupAuth } from '../../../emulator/auth/auth-setup.js';
import { serveRoutes } from './serve.js';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

test('flags wire HMAC keys, key files, OAuth clients and refresh tokens into one setup', async (t) => {
  const clock = new ManualClock();
  const setup = setupAuth(
    {
      hmac: ['GOOG1A:secret:with:colons'],
      requireAuth: true,
      keyFiles: [
        JSON.stringify({
          type: 'service_account',
          client_email: 'sa@p.iam.gserviceaccount.com',
          private_key: privateKey,
        }),
        JSON.stringify({
          type: 'authorized_user',
          client_id: 'adc.apps',
          client_secret: 'adc-secret',
          refresh_token: '1//adc',
          account: 'me@example.com',
        }),
      ],
      oauthClients: ['c1.apps:s1', 'c2.apps:s2'],
      refreshTokens: ['c1.apps=1//one', 'c2.apps=1//two'],
    },
    clock,
  );
  t.truthy(setup.registry.serviceAccount('sa@p.iam.gserviceaccount.com'));
  t.is(setup.registry.clientSecret('c2.apps'), 's2');
  t.like(setup.registry.redeemRefreshToken('1//adc', 'adc.apps'), { subject: 'me@example.com' });
  t.truthy(setup.registry.redeemRefreshToken('1//two', 'c2.apps'));
  t.is(setup.registry.redeemRefreshToken('1//two', 'c1.apps'), undefined);

  const server = await serveRoutes(setup.sideRoutes);
  t.teardown(() => server.close());
  const res = await fetch(`${server.base}/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'c1.apps',
      client_secret: 's1',
      refresh_token: '1//one',
    }),
  });
  const { access_token: token } = (await res.json()) as { access_token: string };
  const view = {
    method: 'GET',
    rawPath: '/b/o',
    rawQuery: '',
    headers: { authorization: `Bearer ${token}` },
  };
  t.like(await setup.authenticate(view), { ok: true });
  t.like(await setup.authenticate({ ...view, headers: {} }), { ok: false, status: 403 });
  const md = await fetch(`${server.base}/computeMetadata/v1/instance/service-accounts/default/token`, {
    headers: { 'Metadata-Flavor': 'Google' },
  });
  t.is(md.status, 200);
});

test('a bare --refresh-token binds to the only --oauth-client', (t) => {
  const setup = setupAuth({ oauthClients: ['only.apps:s'], refreshTokens: ['1//x'] });
  t.truthy(setup.registry.redeemRefreshToken('1//x', 'only.apps'));
});

test('flag errors name the flag and never echo a secret', (t) => {
  const err = t.throws(() => setupAuth({ hmac: ['no-separator-secret'] }));
  t.regex(err.message, /^--hmac: expected ID:SECRET/);
  t.notRegex(err.message, /no-separator-secret/);
  t.throws(() => setupAuth({ oauthClients: ['a:1', 'b:2'], refreshTokens: ['1//x'] }), {
    message: /CLIENT_ID=TOKEN/,
  });
  t.throws(() => setupAuth({ oauthClients: ['a:1'], refreshTokens: ['z=1//x'] }), {
    message: /no --oauth-client z/,
  });
  t.throws(() => setupAuth({ keyFiles: ['{'] }), { message: /--service-account #1: not JSON/ });
  t.throws(() => setupAuth({ keyFiles: ['{"type":"authorized_user"}'] }), {
    message: /authorized_user needs/,
  });
  t.throws(() => setupAuth({ keyFiles: ['{"type":"external_account"}'] }), {
    message: /service_account/,
  });
});
