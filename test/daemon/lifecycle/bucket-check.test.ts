import test from 'ava';
import { createServer, type Socket } from 'node:net';
import { ManualClock } from '../../../common/clock.js';
import { checkBucket, RetryWatch } from '../../../daemon/lifecycle/bucket-check.js';
import { AnonymousCredentials } from '../../../storage/auth/anonymous.js';
import type { Credentials } from '../../../storage/auth/credentials.js';
import { XmlApiBackend } from '../../../storage/client/xml-api-backend.js';
import { StorageError } from '../../../storage/errors.js';
import { bucket, emulator } from '../../helpers/emulator.js';

/** A TCP server that accepts, reads the request and never answers; `asked` resolves at the first bytes. */
async function silentServer(t: import('ava').ExecutionContext) {
  const sockets: Socket[] = [];
  let heard: () => void = () => undefined;
  const asked = new Promise<void>((r) => (heard = r));
  const server = createServer((s) => {
    sockets.push(s);
    s.on('data', () => heard());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, asked };
}

const anonymous = new AnonymousCredentials();

test('an endpoint that accepts connections and never answers fails at the deadline, named', async (t) => {
  const silent = await silentServer(t);
  const backend = new XmlApiBackend({ endpoint: silent.url, credentials: anonymous });
  t.teardown(() => backend.close());
  const clock = new ManualClock();
  const check = checkBucket({ endpoint: silent.url, credentials: anonymous, backend, bucket: 'b', clock });
  await silent.asked; // the HEAD was sent; the silence is what fails it
  await clock.advance(5000);
  await t.throwsAsync(check, { message: `${silent.url} did not answer within 5 s (checking bucket b)` });
});

test('a project mount lists buckets under the same deadline', async (t) => {
  const silent = await silentServer(t);
  const backend = new XmlApiBackend({ endpoint: silent.url, credentials: anonymous });
  t.teardown(() => backend.close());
  const clock = new ManualClock();
  const check = checkBucket({
    endpoint: silent.url,
    credentials: anonymous,
    backend,
    bucket: undefined,
    clock,
  });
  await silent.asked;
  await clock.advance(5000);
  await t.throwsAsync(check, { message: /did not answer within 5 s \(listing the buckets\)/ });
});

test('a token endpoint that never answers is named as such, before the bucket is asked', async (t) => {
  let headed = false;
  const stuck: Credentials = {
    description: 'service-account key k.json (sa@p)',
    authorize: (_r, signal) =>
      new Promise((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(new StorageError('aborted', 'token request aborted'))),
      ),
    invalidate: () => false,
  };
  const backend = {
    headBucket: () => ((headed = true), Promise.resolve()),
    listBuckets: () => Promise.resolve([]),
  };
  const clock = new ManualClock();
  const check = checkBucket({ endpoint: 'http://x', credentials: stuck, backend, bucket: 'b', clock });
  await clock.advance(5000);
  await t.throwsAsync(check, {
    message:
      'no access token within 5 s: the token endpoint of service-account key k.json (sa@p) did not answer',
  });
  t.false(headed);
});

test('answers that kept failing (503s retried to the deadline) are reported as such', async (t) => {
  const retries = new RetryWatch();
  const backend = {
    headBucket: (_b: string, o?: { signal?: AbortSignal }) => {
      retries.note({ what: 'HEAD /b', attempt: 3, code: 'unavailable', status: 503, delayMs: 4000 });
      return new Promise<void>((_r, reject) =>
        o?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    },
    listBuckets: () => Promise.resolve([]),
  };
  const clock = new ManualClock();
  const check = checkBucket({
    endpoint: 'http://x',
    credentials: anonymous,
    backend,
    bucket: 'b',
    retries,
    clock,
  });
  await clock.advance(5000);
  await t.throwsAsync(check, {
    message: 'http://x gave no usable answer within 5 s (checking bucket b: HTTP 503, 3 attempts)',
  });
});

test('a live endpoint passes, and a missing bucket fails with its own error, not the deadline', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const backend = new XmlApiBackend({ endpoint: emu.url, credentials: anonymous });
  t.teardown(() => backend.close());
  const clock = new ManualClock();
  await t.notThrowsAsync(
    checkBucket({ endpoint: emu.url, credentials: anonymous, backend, bucket: b, clock }),
  );
  const missing = await t.throwsAsync(
    checkBucket({ endpoint: emu.url, credentials: anonymous, backend, bucket: 'no-such', clock }),
  );
  t.true(missing instanceof StorageError && missing.code === 'bucket-not-found', String(missing));
  t.is(clock.pendingSleeps, 0, 'the deadline timer is released');
});
