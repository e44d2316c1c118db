// The retry policy as a table: pure decisions first, then (operation x injected fault x precondition) ->
// attempts against the emulator, counting requests with a no-op fault rule on the same filter.

import test from 'ava';
import type { Clock } from '../../../common/clock.js';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { StorageError, isStorageError } from '../../../storage/errors.js';
import type { StorageErrorCode } from '../../../storage/errors.js';
import {
  DEFAULT_RETRY,
  decideRetry,
  isIdempotent,
  isOutcomeUnknown,
  isRefusal,
} from '../../../storage/client/retry-policy.js';
import type { RequestSafety } from '../../../storage/client/retry-policy.js';
import type { XmlApiBackend } from '../../../storage/client/xml-api-backend.js';
import type { RetryEvent } from '../../../storage/client/retry.js';
import { readAll, setup } from './helpers/setup.js';

// ---- the pure policy ----

test('idempotency by operation and precondition', (t) => {
  const table: [RequestSafety, boolean][] = [
    [{ kind: 'read' }, true],
    [{ kind: 'write' }, false],
    [{ kind: 'write', ifGenerationMatch: '0' }, true],
    [{ kind: 'write', ifMetagenerationMatch: '3' }, false],
    [{ kind: 'delete-object' }, false],
    [{ kind: 'delete-object', generation: '5' }, true],
    [{ kind: 'delete-object', ifGenerationMatch: '5' }, true],
    [{ kind: 'set-acl' }, false],
    [{ kind: 'set-acl', ifGenerationMatch: '5' }, false],
    [{ kind: 'set-acl', ifMetagenerationMatch: '2' }, true],
    [{ kind: 'create-bucket' }, false],
    [{ kind: 'delete-bucket' }, true],
    [{ kind: 'resumable-start' }, true],
    [{ kind: 'resumable-chunk' }, true],
    [{ kind: 'multipart-part' }, true],
  ];
  for (const [safety, expected] of table) t.is(isIdempotent(safety), expected, JSON.stringify(safety));
});

const err = (code: StorageErrorCode, retryAfterMs?: number): StorageError =>
  new StorageError(code, code, retryAfterMs === undefined ? {} : { retryAfterMs });

test('transient codes retry when idempotent; others never', (t) => {
  const base = { attempt: 1, elapsedMs: 0, random: () => 0.5, options: DEFAULT_RETRY };
  for (const code of ['timeout', 'rate-limited', 'unavailable', 'network'] as const) {
    t.true(decideRetry({ ...base, error: err(code), idempotent: true }).retry, code);
    t.deepEqual(decideRetry({ ...base, error: err(code), idempotent: false }), {
      retry: false,
      reason: 'not-idempotent',
    });
  }
  for (const code of [
    'not-found',
    'precondition-failed',
    'forbidden',
    'invalid-argument',
    'integrity',
  ] as const) {
    t.deepEqual(decideRetry({ ...base, error: err(code), idempotent: true }), {
      retry: false,
      reason: 'not-transient',
    });
  }
});

const status = (code: StorageErrorCode, s: number): StorageError =>
  new StorageError(code, code, { status: s });

test('a 429 or 408 refuses the request: retried even when not idempotent, and its outcome is known', (t) => {
  const base = { attempt: 1, elapsedMs: 0, random: () => 0.5, options: DEFAULT_RETRY, idempotent: false };
  for (const e of [status('rate-limited', 429), status('timeout', 408)]) {
    t.true(isRefusal(e), e.code);
    t.true(decideRetry({ ...base, error: e }).retry, e.code);
    t.false(isOutcomeUnknown(e, false), e.code);
  }
  // 503 SlowDown, other 5xx, a timeout or reset of our own: the server may have acted.
  for (const e of [status('unavailable', 503), status('unavailable', 502), err('timeout'), err('network')]) {
    t.false(isRefusal(e), `${e.code} ${String(e.status)}`);
    t.false(decideRetry({ ...base, error: e }).retry, `${e.code} ${String(e.status)}`);
    t.true(isOutcomeUnknown(e, false), `${e.code} ${String(e.status)}`);
  }
  t.false(isOutcomeUnknown(err('network'), true), 'a refused connection never carried the request');
  for (const code of ['not-found', 'precondition-failed', 'aborted'] as const) {
    t.false(isOutcomeUnknown(err(code), false), code);
  }
});

test('full jitter under an exponential ceiling with a cap', (t) => {
  const options = { ...DEFAULT_RETRY, maxAttempts: 100, deadlineMs: Infinity };
  const delay = (attempt: number, r: number): number => {
    const d = decideRetry({
      error: err('unavailable'),
      idempotent: true,
      attempt,
      elapsedMs: 0,
      random: () => r,
      options,
    });
    return d.retry ? d.delayMs : -1;
  };
  t.is(delay(1, 0), 0);
  t.is(delay(1, 0.999), 999);
  t.is(delay(2, 0.5), 1000);
  t.is(delay(3, 0.5), 2000);
  t.is(delay(6, 0.999), 31_968);
  t.is(delay(20, 0.5), 16_000); // capped at 32 s, then jittered
});

test('the multiplier and the cap come from the options (--retry-multiplier, --max-retry-sleep)', (t) => {
  const options = {
    ...DEFAULT_RETRY,
    multiplier: 3,
    maxDelayMs: 5000,
    maxAttempts: 100,
    deadlineMs: Infinity,
  };
  const ceiling = (attempt: number): number => {
    const d = decideRetry({
      error: err('unavailable'),
      idempotent: true,
      attempt,
      elapsedMs: 0,
      random: () => 0.999999,
      options,
    });
    return d.retry ? Math.ceil(d.delayMs / 10) * 10 : -1;
  };
  t.is(ceiling(1), 1000);
  t.is(ceiling(2), 3000);
  t.is(ceiling(3), 5000); // 9 s, capped
});

test('Retry-After is a floor; attempts and deadline stop retries', (t) => {
  const input = { idempotent: true, random: () => 0, options: DEFAULT_RETRY };
  t.deepEqual(decideRetry({ ...input, error: err('rate-limited', 7000), attempt: 1, elapsedMs: 0 }), {
    retry: true,
    delayMs: 7000,
  });
  t.deepEqual(decideRetry({ ...input, error: err('unavailable'), attempt: 8, elapsedMs: 0 }), {
    retry: false,
    reason: 'attempts',
  });
  t.deepEqual(decideRetry({ ...input, error: err('rate-limited', 60_000), attempt: 1, elapsedMs: 70_000 }), {
    retry: false,
    reason: 'deadline',
  });
});

// ---- against the emulator: (operation x injected fault x precondition) -> attempts ----
// 'lost response' is the emulator's reset at 0 bytes: the handler runs (the object is written or deleted),
// then the connection is cut before any answer.

interface Row {
  name: string;
  /** Fault groups for the target; a counting rule for `count` is added. */
  fault: string;
  /** Method and path prefix whose requests are counted. */
  count: { methods: string; path: string };
  prepare?: (b: XmlApiBackend, bucket: string) => Promise<Record<string, string>>;
  run: (b: XmlApiBackend, bucket: string, state: Record<string, string>) => Promise<unknown>;
  attempts: number;
  /** Error code expected, or undefined for success. */
  fails?: StorageErrorCode;
  check?: (b: XmlApiBackend, bucket: string) => Promise<boolean>;
}

const P = '/test-bucket/o';
const write = (b: XmlApiBackend, bucket: string, options = {}): Promise<unknown> =>
  b.writeObject(bucket, 'o', Buffer.from('payload'), options);
const bucketGone = async (b: XmlApiBackend, bucket: string): Promise<boolean> =>
  !(await b.listBuckets()).some((x) => x.name === bucket);
const existing = async (b: XmlApiBackend, bucket: string): Promise<Record<string, string>> => ({
  generation: (await b.writeObject(bucket, 'o', Buffer.from('v1'))).generation,
});

const rows: Row[] = [
  {
    name: 'PUT if-generation-match=0 + 503x2 -> succeeds on attempt 3, one generation',
    fault: `methods=PUT,path=${P},times=2,status=503`,
    count: { methods: 'PUT', path: P },
    run: (b, bucket) => write(b, bucket, { ifGenerationMatch: '0' }),
    attempts: 3,
    check: async (b, bucket) => {
      const names = [];
      for await (const p of b.list(bucket)) names.push(...p.objects.map((o) => o.generation));
      return names.length === 1;
    },
  },
  {
    name: 'PUT without precondition + 503 -> not retried',
    fault: `methods=PUT,path=${P},times=1,status=503,code=ServiceUnavailable`,
    count: { methods: 'PUT', path: P },
    run: (b, bucket) => write(b, bucket),
    attempts: 1,
    fails: 'unavailable',
  },
  {
    name: 'PUT with generation precondition + 429, 408, 500, 502, 504 -> retried through',
    fault: `methods=PUT,path=${P},times=1,status=429;methods=PUT,path=${P},times=1,status=408`,
    count: { methods: 'PUT', path: P },
    prepare: existing,
    run: (b, bucket, s) => write(b, bucket, { ifGenerationMatch: s['generation'] }),
    attempts: 3,
  },
  {
    name: 'PUT if-generation-match=0 whose response is lost -> retry gets 412, the object is adopted',
    fault: `methods=PUT,path=${P},times=1,reset=1`,
    count: { methods: 'PUT', path: P },
    run: (b, bucket) => write(b, bucket, { ifGenerationMatch: '0' }),
    attempts: 2,
  },
  {
    name: 'PUT if-generation-match=0, response lost, but someone else wrote -> precondition-failed',
    fault: `methods=PUT,path=${P},times=1,status=503`,
    count: { methods: 'PUT', path: P },
    prepare: existing,
    run: (b, bucket) => write(b, bucket, { ifGenerationMatch: '0' }),
    attempts: 2,
    fails: 'precondition-failed',
  },
  {
    name: 'HEAD + 503x3 -> 4 attempts',
    fault: `methods=HEAD,path=${P},times=3,status=503`,
    count: { methods: 'HEAD', path: P },
    prepare: existing,
    run: (b, bucket) => b.statObject(bucket, 'o'),
    attempts: 4,
  },
  {
    name: 'HEAD + 503 forever -> gives up after maxAttempts',
    fault: `methods=HEAD,path=${P},status=503`,
    count: { methods: 'HEAD', path: P },
    prepare: existing,
    run: (b, bucket) => b.statObject(bucket, 'o'),
    attempts: 8,
    fails: 'unavailable',
  },
  {
    name: 'GET + 500x2 -> 3 attempts',
    fault: `methods=GET,path=${P},times=2,status=500`,
    count: { methods: 'GET', path: P },
    prepare: existing,
    run: async (b, bucket) => readAll((await b.readObject(bucket, 'o')).body),
    attempts: 3,
  },
  {
    name: 'GET + 404 fault -> not retried',
    fault: `methods=GET,path=${P},times=1,status=404`,
    count: { methods: 'GET', path: P },
    prepare: existing,
    run: (b, bucket) => b.readObject(bucket, 'o'),
    attempts: 1,
    fails: 'not-found',
  },
  {
    name: 'LIST + 503x2 -> 3 attempts',
    fault: `methods=GET,path=/test-bucket,query=list-type,times=2,status=503`,
    count: { methods: 'GET', path: '/test-bucket' },
    run: (b, bucket) => b.listPage(bucket),
    attempts: 3,
  },
  {
    name: 'DELETE if-generation-match of a stale generation + 503 -> retried, then precondition-failed',
    fault: `methods=DELETE,path=${P},times=1,status=503`,
    count: { methods: 'DELETE', path: P },
    prepare: existing,
    run: (b, bucket) => b.deleteObject(bucket, 'o', { ifGenerationMatch: '1' }),
    attempts: 2,
    fails: 'precondition-failed',
  },
  {
    name: 'set ACL without metageneration precondition + 503 -> not retried',
    fault: `methods=PUT,path=${P},query=acl,times=1,status=503,code=ServiceUnavailable`,
    count: { methods: 'PUT', path: P },
    prepare: existing,
    run: (b, bucket) => b.setAcl({ kind: 'object', bucket, name: 'o' }, 'private'),
    attempts: 1,
    fails: 'unavailable',
  },
  {
    name: 'set ACL with metageneration precondition + 503 -> retried',
    fault: `methods=PUT,path=${P},query=acl,times=1,status=503`,
    count: { methods: 'PUT', path: P },
    prepare: existing,
    run: (b, bucket) =>
      b.setAcl({ kind: 'object', bucket, name: 'o' }, 'private', { ifMetagenerationMatch: '1' }),
    attempts: 2,
  },
  {
    name: 'copy with destination precondition + 503 -> retried',
    fault: `methods=PUT,path=/test-bucket/copy,times=1,status=503`,
    count: { methods: 'PUT', path: '/test-bucket/copy' },
    prepare: existing,
    run: (b, bucket) =>
      b.copyObject({ bucket, name: 'o' }, { bucket, name: 'copy' }, { ifGenerationMatch: '0' }),
    attempts: 2,
  },
  {
    name: 'metadata update (copy-to-self pinned to the generation) + 503 -> retried',
    fault: `methods=PUT,path=${P},times=1,status=503`,
    count: { methods: 'PUT', path: P },
    prepare: existing,
    run: (b, bucket) => b.updateObjectMetadata(bucket, 'o', { metadata: { a: 'b' } }),
    // Two copy attempts, then the PUT ?acl that puts the object's ACL back on the new generation.
    attempts: 3,
  },
  {
    name: 'create bucket + 503 -> not retried',
    fault: `methods=PUT,path=/new-bucket,times=1,status=503,code=ServiceUnavailable`,
    count: { methods: 'PUT', path: '/new-bucket' },
    run: (b) => b.createBucket('new-bucket'),
    attempts: 1,
    fails: 'unavailable',
  },
  {
    name: 'PUT with precondition + 400 -> not retried',
    fault: `methods=PUT,path=${P},times=1,status=400`,
    count: { methods: 'PUT', path: P },
    run: (b, bucket) => write(b, bucket, { ifGenerationMatch: '0' }),
    attempts: 1,
    fails: 'invalid-argument',
  },
];

// Deletes: {429, 503, lost response} x {if-generation-match, ?generation=, no precondition}. A 429 is a
// refusal, retried whatever the precondition. A 503 or a lost answer is retried only with a precondition;
// without one, the delete asks the store (one HEAD) whether it happened.
type Guard = 'if-generation-match' | 'generation' | 'none';
const guarded = (guard: Guard, generation: string): { generation?: string; ifGenerationMatch?: string } =>
  guard === 'generation'
    ? { generation }
    : guard === 'if-generation-match'
      ? { ifGenerationMatch: generation }
      : {};
const gone = async (b: XmlApiBackend, bucket: string): Promise<boolean> =>
  (await b.listPage(bucket)).objects.length === 0;
const kept = async (b: XmlApiBackend, bucket: string): Promise<boolean> => !(await gone(b, bucket));
const deleteFaults: { fault: string; label: string }[] = [
  { label: '429', fault: 'status=429' },
  { label: '503', fault: 'status=503' },
  { label: 'lost response (deleted, answer cut)', fault: 'reset=1' },
];
for (const { label, fault } of deleteFaults) {
  for (const guard of ['if-generation-match', 'generation', 'none'] as const) {
    const retried = guard !== 'none' || label === '429';
    const settledByHead = !retried && label.startsWith('lost');
    rows.push({
      name: `DELETE ${guard} + ${label} -> ${retried ? '2 attempts, deleted' : settledByHead ? '1 attempt, HEAD finds it gone: done' : '1 attempt, unavailable'}`,
      fault: `methods=DELETE,path=${P},times=1,${fault}`,
      count: { methods: 'DELETE', path: P },
      prepare: existing,
      run: (b, bucket, s) => b.deleteObject(bucket, 'o', guarded(guard, s['generation'] ?? '')),
      attempts: retried ? 2 : 1,
      ...(retried || settledByHead ? { check: gone } : { fails: 'unavailable' as const, check: kept }),
    });
  }
}
rows.push(
  {
    name: 'DELETE without precondition whose request never arrived (connection cut) -> HEAD finds it: fails',
    fault: `methods=DELETE,path=${P},times=1,reset-request=0`,
    count: { methods: 'DELETE', path: P },
    prepare: existing,
    run: (b, bucket) => b.deleteObject(bucket, 'o'),
    attempts: 1,
    fails: 'network',
    check: kept,
  },
  {
    name: 'DELETE + 429 forever -> rate-limited after maxAttempts',
    fault: `methods=DELETE,path=${P},status=429`,
    count: { methods: 'DELETE', path: P },
    prepare: existing,
    run: (b, bucket, s) => b.deleteObject(bucket, 'o', { ifGenerationMatch: s['generation'] ?? '' }),
    attempts: 8,
    fails: 'rate-limited',
    check: kept,
  },
  {
    name: 'DELETE bucket + 503 -> retried',
    fault: `methods=DELETE,path=/test-bucket,times=1,status=503`,
    count: { methods: 'DELETE', path: '/test-bucket' },
    run: (b, bucket) => b.deleteBucket(bucket),
    attempts: 2,
    check: bucketGone,
  },
  {
    name: 'DELETE bucket + 429 -> retried',
    fault: `methods=DELETE,path=/test-bucket,times=1,status=429`,
    count: { methods: 'DELETE', path: '/test-bucket' },
    run: (b, bucket) => b.deleteBucket(bucket),
    attempts: 2,
    check: bucketGone,
  },
  {
    name: 'DELETE bucket whose response is lost -> retry gets 404, reported as done',
    fault: `methods=DELETE,path=/test-bucket,times=1,reset=1`,
    count: { methods: 'DELETE', path: '/test-bucket' },
    run: (b, bucket) => b.deleteBucket(bucket),
    attempts: 2,
    check: bucketGone,
  },
  {
    name: 'DELETE of a missing bucket, no fault -> bucket-not-found (a 404 is the truth without a lost answer)',
    fault: `methods=DELETE,path=/no-such-bucket,times=1,stall=0`,
    count: { methods: 'DELETE', path: '/no-such-bucket' },
    run: (b) => b.deleteBucket('no-such-bucket'),
    attempts: 1,
    fails: 'bucket-not-found',
  },
  {
    name: 'DELETE of a missing object after a 429 -> not-found (a refusal is no lost outcome)',
    fault: `methods=DELETE,path=${P},times=1,status=429`,
    count: { methods: 'DELETE', path: P },
    run: (b, bucket) => b.deleteObject(bucket, 'o', { ifGenerationMatch: '5' }),
    attempts: 2,
    fails: 'not-found',
  },
  {
    name: 'create bucket + 429 -> retried (a refusal: nothing was created)',
    fault: `methods=PUT,path=/new-bucket,times=1,status=429`,
    count: { methods: 'PUT', path: '/new-bucket' },
    run: (b) => b.createBucket('new-bucket'),
    attempts: 2,
  },
  {
    name: 'PUT without precondition + 429 -> retried',
    fault: `methods=PUT,path=${P},times=1,status=429`,
    count: { methods: 'PUT', path: P },
    run: (b, bucket) => write(b, bucket),
    attempts: 2,
  },
  {
    name: 'PUT without precondition whose response is lost -> not retried; HEAD finds our bytes: done',
    fault: `methods=PUT,path=${P},times=1,reset=1`,
    count: { methods: 'PUT', path: P },
    run: (b, bucket) => write(b, bucket),
    attempts: 1,
  },
  {
    name: 'PUT without precondition whose request never arrived -> HEAD finds nothing: the error stands',
    fault: `methods=PUT,path=${P},times=1,reset-request=0`,
    count: { methods: 'PUT', path: P },
    run: (b, bucket) => write(b, bucket),
    attempts: 1,
    fails: 'network',
    check: gone,
  },
  {
    name: 'PUT if-generation-match=0 with every answer lost -> retries spent, HEAD finds our bytes: done',
    fault: `methods=PUT,path=${P},reset=1`,
    count: { methods: 'PUT', path: P },
    run: (b, bucket) => write(b, bucket, { ifGenerationMatch: '0' }),
    attempts: 8,
  },
  {
    name: 'PUT if-generation-match=0 over an existing object, answer lost -> precondition-failed stands',
    fault: `methods=PUT,path=${P},times=1,reset=1`,
    count: { methods: 'PUT', path: P },
    prepare: existing,
    run: (b, bucket) => write(b, bucket, { ifGenerationMatch: '0' }),
    attempts: 2,
    fails: 'precondition-failed',
  },
);

for (const row of rows) {
  test(`retry table: ${row.name}`, async (t) => {
    const { emu, backend, bucket } = await setup(t);
    const state = (await row.prepare?.(backend, bucket)) ?? {};
    emu.faults.set(
      parseFaultSpec(`${row.fault};methods=${row.count.methods},path=${row.count.path},latency=0`),
    );
    const counter = (): number => emu.faults.state().rules.at(-1)?.fired ?? -1;
    if (row.fails === undefined) await t.notThrowsAsync(row.run(backend, bucket, state));
    else {
      const e = await t.throwsAsync(row.run(backend, bucket, state));
      t.true(isStorageError(e, row.fails), String(e));
    }
    t.is(counter(), row.attempts);
    emu.faults.clear();
    if (row.check) t.true(await row.check(backend, bucket));
  });
}

// The backoff wait is where someone else can act between two attempts: a clock whose sleep runs a step.
const clockRunning = (step: () => Promise<void>): Clock => ({
  now: () => Date.now(),
  sleep: async () => {
    await step();
  },
});

test('DELETE if-generation-match, answer lost, someone wrote the name meanwhile -> 412, newer object kept', async (t) => {
  const meanwhile: { write?: () => Promise<void> } = {};
  const { emu, backend, bucket } = await setup(t, {
    backend: { clock: clockRunning(async () => meanwhile.write?.()) },
  });
  meanwhile.write = async () => {
    await emu.call(P, { method: 'PUT', body: 'theirs', headers: { 'x-goog-if-generation-match': '0' } });
  };
  const { generation } = await backend.writeObject(bucket, 'o', Buffer.from('v1'));
  emu.faults.set(parseFaultSpec(`methods=DELETE,path=${P},times=1,reset=1`));
  // Our first attempt deleted v1 and its answer was lost; then 'theirs' was written. Whether our delete
  // came first cannot be known from the store, so the newer object is never touched.
  const e = await t.throwsAsync(backend.deleteObject(bucket, 'o', { ifGenerationMatch: generation }));
  t.true(isStorageError(e, 'precondition-failed'), String(e));
  t.is((await backend.statObject(bucket, 'o')).size, 'theirs'.length);
});

test('onRetry sees every retry with the code that caused it', async (t) => {
  const events: RetryEvent[] = [];
  const { emu, backend, bucket } = await setup(t, { backend: { onRetry: (e) => events.push(e) } });
  await backend.writeObject(bucket, 'o', Buffer.from('x'));
  emu.faults.set(
    parseFaultSpec(`methods=HEAD,path=${P},times=1,status=503;methods=HEAD,path=${P},times=1,status=429`),
  );
  await backend.statObject(bucket, 'o');
  t.deepEqual(
    events.map((e) => [e.attempt, e.code, e.status]),
    [
      [1, 'unavailable', 503],
      [2, 'rate-limited', 429],
    ],
  );
});
