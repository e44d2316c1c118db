// The attempt loop against the emulator: resumed downloads, stalls, Retry-After on a manual clock, aborts
// during backoff, refused connections. The policy table itself is in retry-policy.test.ts.

import test from 'ava';
import { ManualClock } from '../../../common/clock.js';
import { createLogger } from '../../../common/logger.js';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { AnonymousCredentials } from '../../../storage/auth/anonymous.js';
import { isStorageError } from '../../../storage/errors.js';
import { XmlApiBackend } from '../../../storage/client/xml-api-backend.js';
import { bytes, readAll, setup } from './helpers/setup.js';

const P = '/test-bucket/o';

test('GET reset mid-body resumes from the byte reached; bytes identical, one GET per cut', async (t) => {
  const { emu, backend, bucket } = await setup(t);
  const data = bytes(3 * 1024 * 1024, 9);
  await backend.writeObject(bucket, 'o', data);
  emu.faults.set(
    parseFaultSpec(`methods=GET,path=${P},times=2,reset-after=1000000;methods=GET,path=${P},latency=0`),
  );
  const read = await backend.readObject(bucket, 'o');
  t.true((await readAll(read.body)).equals(data));
  t.is(emu.faults.state().rules.at(-1)?.fired, 3);
});

test('GET reset mid-body of a range resumes inside the range', async (t) => {
  const { emu, backend, bucket } = await setup(t);
  const data = bytes(2 * 1024 * 1024, 5);
  await backend.writeObject(bucket, 'o', data);
  emu.faults.set(parseFaultSpec(`methods=GET,path=${P},times=1,reset-after=300000`));
  const read = await backend.readObject(bucket, 'o', { range: { start: 1000, end: 1_500_000 } });
  t.true((await readAll(read.body)).equals(data.subarray(1000, 1_500_001)));
});

test('a resumed GET never splices generations: overwrite mid-read fails with not-found', async (t) => {
  const { emu, backend, bucket } = await setup(t);
  const data = bytes(2 * 1024 * 1024, 5);
  await backend.writeObject(bucket, 'o', data);
  emu.faults.set(parseFaultSpec(`methods=GET,path=${P},times=1,reset-after=500000`));
  const read = await backend.readObject(bucket, 'o');
  await backend.writeObject(bucket, 'o', bytes(2 * 1024 * 1024, 6));
  const e = await t.throwsAsync(readAll(read.body));
  t.true(isStorageError(e, 'not-found'));
});

test('429 with Retry-After waits at least that long on the injected clock', async (t) => {
  const clock = new ManualClock();
  const { emu, backend, bucket } = await setup(t, { backend: { clock } });
  await backend.writeObject(bucket, 'o', Buffer.from('x'));
  emu.faults.set(parseFaultSpec(`methods=HEAD,path=${P},times=1,status=429,retry-after=30`));
  let done = false;
  const stat = backend.statObject(bucket, 'o').finally(() => {
    done = true;
  });
  while (clock.pendingSleeps === 0) await new Promise((r) => setImmediate(r));
  await clock.advance(29_000);
  await new Promise((r) => setImmediate(r));
  t.false(done);
  t.is(clock.pendingSleeps, 1);
  await clock.advance(1_000);
  const meta = await stat;
  t.is(meta.size, 1);
});

test('abort during a backoff wait rejects with aborted at once', async (t) => {
  const clock = new ManualClock();
  const { emu, backend, bucket } = await setup(t, { backend: { clock } });
  emu.faults.set(parseFaultSpec(`methods=HEAD,status=503`));
  const controller = new AbortController();
  const stat = backend.statObject(bucket, 'o', { signal: controller.signal });
  while (clock.pendingSleeps === 0) await new Promise((r) => setImmediate(r));
  controller.abort();
  t.true(isStorageError(await t.throwsAsync(stat), 'aborted'));
});

test('a download that stalls past the idle timeout resumes on a new connection', async (t) => {
  const { emu, backend, bucket } = await setup(t, { backend: { timeouts: { idleMs: 300 } } });
  const data = bytes(1024 * 1024, 11);
  await backend.writeObject(bucket, 'o', data);
  // The stall (3 s) is ten times the idle timeout (300 ms), so timing cannot decide the outcome.
  emu.faults.set(
    parseFaultSpec(
      `methods=GET,path=${P},times=1,stall=3s,stall-after=200000;methods=GET,path=${P},latency=0`,
    ),
  );
  const read = await backend.readObject(bucket, 'o');
  t.true((await readAll(read.body)).equals(data));
  t.is(emu.faults.state().rules.at(-1)?.fired, 2);
});

test('a refused connection never reached the server: even a bucket create is retried', async (t) => {
  const { emu } = await setup(t, { bucket: false });
  const url = emu.url;
  await emu.close();
  const lines: string[] = [];
  const backend = new XmlApiBackend({
    endpoint: url,
    credentials: new AnonymousCredentials(),
    retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
    logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
  });
  t.teardown(() => backend.close());
  const e = await t.throwsAsync(backend.createBucket('never'));
  t.true(isStorageError(e, 'network'), String(e));
  t.is(lines.filter((l) => l.includes('retrying')).length, 2);
});

test('no answer within the idle timeout is a timeout, retried like any transient failure', async (t) => {
  const { emu, backend, bucket } = await setup(t, { backend: { timeouts: { idleMs: 200 } } });
  await backend.writeObject(bucket, 'o', Buffer.from('x'));
  // 2 s of silence against a 200 ms idle timeout: the first HEAD times out, the second is answered.
  emu.faults.set(parseFaultSpec(`methods=HEAD,path=${P},times=1,latency=2s;methods=HEAD,path=${P},stall=0`));
  t.is((await backend.statObject(bucket, 'o')).size, 1);
  t.is(emu.faults.state().rules.at(-1)?.fired, 2);
  emu.faults.set(parseFaultSpec(`methods=HEAD,path=${P},latency=2s`));
  const once = new XmlApiBackend({
    endpoint: emu.url,
    credentials: new AnonymousCredentials(),
    retry: { maxAttempts: 1 },
    timeouts: { idleMs: 200 },
  });
  t.teardown(() => once.close());
  t.true(isStorageError(await t.throwsAsync(once.statObject(bucket, 'o')), 'timeout'));
});
