import test from 'ava';
import fc from 'fast-check';
import { ManualClock } from '../../../common/clock.js';
import { createAuthenticator } from '../../../emulator/auth/authenticator.js';
import { TokenRegistry } from '../../../emulator/auth/token-registry.js';
import { ACCESS_ID, SECRET, enc, signV2, signV4 } from './test-signer.js';

const T0 = new Date('2024-01-05T12:00:00Z');
const clock = new ManualClock(T0.getTime());
const auth = createAuthenticator({
  hmacKeys: new Map([[ACCESS_ID, SECRET]]),
  requireAuth: true,
  tokens: new TokenRegistry({ clock }),
  clock,
});

const name = fc
  .array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('/'));
const query = fc.array(
  fc.tuple(
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }),
    fc.option(fc.string({ unit: 'grapheme', maxLength: 6 })),
  ),
  { maxLength: 4 },
);
const method = fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD');

// What browsers and many HTTP stacks send: reserved sub-delims left alone.
const lightlyEncoded = (text: string): string => encodeURI(text).replace(/%5B/g, '[').replace(/%5D/g, ']');

test('any V4-signed request verifies, whether the path is sent canonically encoded or lightly encoded', async (t) => {
  await fc.assert(
    fc.asyncProperty(name, query, method, fc.boolean(), async (objectName, q, m, light) => {
      const signedPath = '/bucket/' + enc(objectName, true);
      const path = light ? '/bucket/' + lightlyEncoded(objectName) : signedPath;
      const view = signV4({ flavor: 'GOOG4', method: m, path, signedPath, query: q, time: T0 });
      const outcome = await auth(view);
      if (!outcome.ok) return false;
      const tampered = await auth({ ...view, method: m === 'GET' ? 'PUT' : 'GET' });
      return !tampered.ok && tampered.code === 'SignatureDoesNotMatch';
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test('any V2-signed object request verifies path-style and virtual-host style', async (t) => {
  await fc.assert(
    fc.asyncProperty(name, method, fc.boolean(), async (objectName, m, vhost) => {
      const encoded = enc(objectName, true);
      const view = signV2({
        flavor: 'GOOG1',
        method: m,
        path: vhost ? '/' + encoded : '/bucket/' + encoded,
        resource: '/bucket/' + encoded,
        headers: { date: T0.toUTCString(), ...(vhost ? { host: 'bucket.storage.googleapis.com' } : {}) },
      });
      return (await auth(view)).ok;
    }),
    { numRuns: 200 },
  );
  t.pass();
});
