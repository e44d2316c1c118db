// Starts a real emulator over HTTP on 127.0.0.1 for one test and stops it on teardown, even on failure.

import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildEmulator, type Emulator, type EmulatorConfig } from '../../emulator/assemble.js';
import { Store } from '../../emulator/store/store.js';

export interface TestEmulator extends Emulator {
  store: Store;
  /** fetch against the emulator: path is appended to its URL. */
  call(pathAndQuery: string, init?: RequestInit): Promise<Response>;
}

export async function emulator(
  t: ExecutionContext,
  options: Partial<EmulatorConfig> & { folder?: boolean } = {},
): Promise<TestEmulator> {
  let store = options.store;
  if (!store) {
    if (options.folder) {
      const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-emu-'));
      t.teardown(() => rm(dir, { recursive: true, force: true }));
      store = await Store.folder(dir);
    } else store = Store.memory();
  }
  const running = await buildEmulator({ project: 'test-project', ...options, store });
  t.teardown(() => running.close());
  return {
    ...running,
    close: () => running.close(),
    store,
    call: (p, init) => fetch(running.url + p, init),
  };
}

/** Creates a bucket and returns its name. */
export async function bucket(emu: TestEmulator, name = 'test-bucket'): Promise<string> {
  const res = await emu.call(`/${name}`, { method: 'PUT' });
  if (res.status !== 200) throw new Error(`create bucket ${name}: ${res.status} ${await res.text()}`);
  return name;
}

export async function put(
  emu: TestEmulator,
  bucketName: string,
  object: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Response> {
  return emu.call(`/${bucketName}/${encodeKey(object)}`, { method: 'PUT', body, headers });
}

/** Percent-encodes a name for a path, keeping `/` except around `.`/`..` segments, which URL parsers
 *  would otherwise collapse (`%2F` and `/` mean the same to the service). */
export function encodeKey(name: string): string {
  const encoded = encodeURIComponent(name);
  return name.split('/').some((s) => s === '.' || s === '..') ? encoded : encoded.replace(/%2F/g, '/');
}

/** The <Code> of an XML error body. */
export function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}
