// One emulator and one XmlApiBackend per test (torn down with the test), with fast retries so fault tests
// take milliseconds: the backoff policy itself is table-tested in retry-policy.test.ts.

import type { ExecutionContext } from 'ava';
import type { EmulatorConfig } from '../../../../emulator/assemble.js';
import { parseFaultSpec } from '../../../../emulator/faults/fault-spec.js';
import { AnonymousCredentials } from '../../../../storage/auth/anonymous.js';
import { XmlApiBackend } from '../../../../storage/client/xml-api-backend.js';
import type { XmlApiBackendOptions } from '../../../../storage/client/xml-api-backend.js';
import { emulator } from '../../../helpers/emulator.js';
import type { TestEmulator } from '../../../helpers/emulator.js';

export interface Setup {
  emu: TestEmulator;
  backend: XmlApiBackend;
  bucket: string;
  /** Sets faults; returns a function giving how many requests the injector saw since. */
  faults(spec: string): () => number;
}

export async function setup(
  t: ExecutionContext,
  options: {
    emulator?: Partial<EmulatorConfig>;
    backend?: Partial<XmlApiBackendOptions>;
    bucket?: string | false;
  } = {},
): Promise<Setup> {
  const emu = await emulator(t, options.emulator ?? {});
  const backend = new XmlApiBackend({
    endpoint: emu.url,
    credentials: new AnonymousCredentials(),
    project: 'test-project',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options.backend,
  });
  t.teardown(() => backend.close());
  const bucket = options.bucket === false ? '' : (options.bucket ?? 'test-bucket');
  if (bucket !== '') await backend.createBucket(bucket);
  return {
    emu,
    backend,
    bucket,
    faults(spec) {
      emu.faults.set(parseFaultSpec(spec));
      return () => emu.faults.state().requests;
    },
  };
}

export async function readAll(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Deterministic pseudo-random bytes (fast, not crypto). */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
