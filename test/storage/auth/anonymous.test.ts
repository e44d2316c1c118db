import test from 'ava';
import { AnonymousCredentials } from '../../../storage/auth/anonymous.js';

test('anonymous credentials set no header and cannot be refreshed', async (t) => {
  const creds = new AnonymousCredentials();
  const headers: Record<string, string> = { 'user-agent': 'gcsmount', authorization: 'Bearer left-over' };
  await creds.authorize({ method: 'GET', url: new URL('https://storage.googleapis.com/b/o'), headers });
  t.deepEqual(headers, { 'user-agent': 'gcsmount' });
  t.false(creds.invalidate());
  t.is(creds.description, 'anonymous (no credentials)');
});
