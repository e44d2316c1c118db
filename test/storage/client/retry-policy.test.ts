// The retry policy as a table: pure decisions first, then (operation x injected fault x precondition) ->
// attempts against the emulator, counting requests with a no-op fault rule on the same filter.

import test from 'ava';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { StorageError, isStorageError } from '../../../storage/errors.js';
import type { StorageErrorCode } from '../../../storage/errors.js';
import { DEFAULT_RETRY, decideRetry, isIdempotent } from '../../../storage/client/retry-policy.js';
import type { RequestSafety } from '../../../storage/client/retry-policy.js';
import type { XmlApiBackend } from '../../../storage/client/xml-api-backend.js';
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
    [{ kind: 'delete-bucket' }, false],
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
    name: 'DELETE of a generation + 503 -> retried',
    fault: `methods=DELETE,path=${P},times=1,status=503`,
    count: { methods: 'DELETE', path: P },
    prepare: existing,
    run: (b, bucket, s) => b.deleteObject(bucket, 'o', { generation: s['generation'] ?? '' }),
    attempts: 2,
  },
  {
    name: 'DELETE of a generation whose response is lost -> retry gets 404, reported as done',
    fault: `methods=DELETE,path=${P},times=1,reset=1`,
    count: { methods: 'DELETE', path: P },
    prepare: existing,
    run: (b, bucket, s) => b.deleteObject(bucket, 'o', { generation: s['generation'] ?? '' }),
    attempts: 2,
    check: async (b, bucket) => (await b.listPage(bucket)).objects.length === 0,
  },
  {
    name: 'DELETE if-generation-match whose response is lost -> retry refused, reported as done',
    fault: `methods=DELETE,path=${P},times=1,reset=1`,
    count: { methods: 'DELETE', path: P },
    prepare: existing,
    run: (b, bucket, s) => b.deleteObject(bucket, 'o', { ifGenerationMatch: s['generation'] ?? '' }),
    attempts: 2,
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
    name: 'DELETE without precondition + 503 -> not retried',
    fault: `methods=DELETE,path=${P},times=1,status=503,code=ServiceUnavailable`,
    count: { methods: 'DELETE', path: P },
    prepare: existing,
    run: (b, bucket) => b.deleteObject(bucket, 'o'),
    attempts: 1,
    fails: 'unavailable',
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
