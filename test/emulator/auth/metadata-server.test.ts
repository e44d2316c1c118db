import test from 'ava';
import { metadataServer } from '../../../emulator/auth/metadata-server.js';
import { TokenRegistry } from '../../../emulator/auth/token-registry.js';
import { serveRoutes } from './serve.js';

const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';
const FLAVOR = { 'Metadata-Flavor': 'Google' };

async function setup(t: { teardown: (f: () => Promise<void>) => void }) {
  const registry = new TokenRegistry();
  const server = await serveRoutes([
    metadataServer(registry, { subject: 'vm@p.iam.gserviceaccount.com', projectId: 'p' }),
  ]);
  t.teardown(() => server.close());
  return { registry, base: server.base };
}

test('metadata token: issued for the default subject, accepted by the registry', async (t) => {
  const { registry, base } = await setup(t);
  const res = await fetch(base + TOKEN_PATH, { headers: FLAVOR });
  t.is(res.status, 200);
  t.is(res.headers.get('metadata-flavor'), 'Google');
  const body = (await res.json()) as { access_token: string; expires_in: number; token_type: string };
  t.like(body, { expires_in: 3599, token_type: 'Bearer' });
  t.like(registry.check(body.access_token), { subject: 'vm@p.iam.gserviceaccount.com' });
});

test('metadata token honours ?scopes=', async (t) => {
  const { registry, base } = await setup(t);
  const res = await fetch(`${base}${TOKEN_PATH}?scopes=a,b`, { headers: FLAVOR });
  const body = (await res.json()) as { access_token: string };
  t.deepEqual(registry.check(body.access_token)?.scopes, ['a', 'b']);
});

test('metadata server refuses requests without Metadata-Flavor: Google', async (t) => {
  const { base } = await setup(t);
  t.is((await fetch(base + TOKEN_PATH)).status, 403);
  t.is((await fetch(base + TOKEN_PATH, { headers: { 'Metadata-Flavor': 'google-ish' } })).status, 403);
});

test('metadata server: email, project id, unknown paths, and paths outside it', async (t) => {
  const { base } = await setup(t);
  const email = await fetch(`${base}/computeMetadata/v1/instance/service-accounts/default/email`, {
    headers: FLAVOR,
  });
  t.is(await email.text(), 'vm@p.iam.gserviceaccount.com');
  const project = await fetch(`${base}/computeMetadata/v1/project/project-id`, { headers: FLAVOR });
  t.is(await project.text(), 'p');
  t.is((await fetch(`${base}/computeMetadata/v1/nope`, { headers: FLAVOR })).status, 404);
  const outside = await fetch(`${base}/bucket/object`, { headers: FLAVOR });
  t.is(await outside.text(), 'no route');
});
