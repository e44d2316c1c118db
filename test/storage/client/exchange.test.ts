import test from 'ava';
import type { Credentials } from '../../../storage/auth/credentials.js';
import { setup } from './helpers/setup.js';

/** Credentials that authorize nothing and record the headers of every attempt. */
function recording(): { credentials: Credentials; seen: Record<string, string>[] } {
  const seen: Record<string, string>[] = [];
  return {
    seen,
    credentials: {
      description: 'recording (test)',
      authorize: (request) => {
        seen.push({ ...request.headers });
        return Promise.resolve();
      },
      invalidate: () => false,
    },
  };
}

test('--billing-project: every request carries x-goog-user-project (requester pays)', async (t) => {
  const r = recording();
  const { backend, bucket } = await setup(t, {
    backend: { credentials: r.credentials, userProject: 'payer-1' },
  });
  await backend.writeObject(bucket, 'a.txt', Buffer.from('x'));
  await backend.statObject(bucket, 'a.txt');
  t.true(r.seen.length >= 3); // create bucket, put, head
  for (const h of r.seen) t.is(h['x-goog-user-project'], 'payer-1');
});

test('without a billing project no x-goog-user-project is sent', async (t) => {
  const r = recording();
  const { backend, bucket } = await setup(t, { backend: { credentials: r.credentials } });
  await backend.statObject(bucket, 'missing').catch(() => undefined);
  t.true(r.seen.length >= 2);
  for (const h of r.seen) t.false('x-goog-user-project' in h);
});
