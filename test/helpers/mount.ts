// A real gcsmount mount for one test: an emulator in this process, the daemon (`bin/gcsmount mount
// --foreground`) in a child process, a temp mountpoint and cache dir. Torn down on teardown even when the
// test fails: SIGTERM (clean stop), then a lazy fusermount -u if anything is left.

import type { ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMounted } from '../../daemon/lifecycle/mountpoint.js';
import { emulator, type TestEmulator } from './emulator.js';
import { run } from './tools.js';
import type { EmulatorConfig } from '../../emulator/assemble.js';

export const GCSMOUNT = path.resolve(import.meta.dirname, '../../bin/gcsmount');

export interface TestMount {
  emu: TestEmulator;
  /** The mountpoint. */
  dir: string;
  /** Path inside the mount. */
  at(...parts: string[]): string;
  daemon: ChildProcess;
  logs(): string;
  cacheDir: string;
  /** Stops the daemon cleanly and waits for it; resolves to its exit code. */
  stop(): Promise<number | null>;
  /** The temp dir holding mountpoint and cache dir. */
  base: string;
}

/** Whether something is mounted at the path (the daemon's own /proc/mounts check). */
export const mounted = isMounted;

export async function waitUntil(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface MountOptions {
  bucket?: string;
  /** Extra `gcsmount mount` flags. */
  flags?: string[];
  emulator?: Partial<EmulatorConfig>;
  /** Reuse an emulator (for remounts). */
  emu?: TestEmulator;
  /** Buckets to create before mounting. */
  buckets?: string[];
  /** Mount again at the same mountpoint with the same cache dir (after a stop or a crash). */
  remountOf?: TestMount;
}

export async function mount(t: ExecutionContext, o: MountOptions = {}): Promise<TestMount> {
  const emu = o.emu ?? (await emulator(t, o.emulator ?? {}));
  const bucket = o.bucket ?? 'test-bucket';
  for (const b of o.buckets ?? (bucket === '_' ? [] : [bucket])) {
    if ((await emu.call(`/${b}`, { method: 'HEAD' })).status !== 200)
      await emu.call(`/${b}`, { method: 'PUT' });
  }
  const base = o.remountOf?.base ?? (await mkdtemp(path.join(tmpdir(), 'gcsmount-it-')));
  const dir = path.join(base, 'mnt');
  const cacheDir = path.join(base, 'cache');
  if (!o.remountOf) await mkdir(dir);
  const args = [
    'mount',
    '--foreground',
    '--endpoint',
    emu.url,
    '--anonymous',
    '--cache-dir',
    cacheDir,
    ...(o.flags ?? []),
    bucket,
    dir,
  ];
  const daemon = spawn(GCSMOUNT, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GCSMOUNT_RUNTIME_DIR: path.join(base, 'run'), BOTO_CONFIG: '/dev/null' },
  });
  let logs = '';
  daemon.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  daemon.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
  let stopped = false;
  const stop = async (): Promise<number | null> => {
    if (!stopped) {
      stopped = true;
      daemon.kill('SIGTERM');
    }
    const code = await Promise.race([
      exited,
      new Promise<'late'>((r) => setTimeout(() => r('late'), 30_000)),
    ]);
    if (code === 'late') {
      daemon.kill('SIGKILL');
      return null;
    }
    return code;
  };
  // A worker that dies (an uncaught exception) runs no teardown: its daemons and mounts would outlive the
  // run on a shared machine. Its exit still runs this, synchronously.
  const onExit = (): void => {
    daemon.kill('SIGKILL');
    spawnSync('fusermount', ['-u', '-z', dir], { stdio: 'ignore' });
    if (!o.remountOf) rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  t.teardown(async () => {
    process.off('exit', onExit);
    await stop();
    if (await mounted(dir)) await run('fusermount', ['-u', '-z', dir]);
    if (!o.remountOf) await rm(base, { recursive: true, force: true });
  });
  try {
    await Promise.race([
      waitUntil(() => mounted(dir), `the mount at ${dir}`),
      exited.then((code) => {
        throw new Error(`gcsmount exited ${code} before mounting:\n${logs}`);
      }),
    ]);
  } catch (err) {
    t.log(logs);
    throw err;
  }
  return { emu, dir, at: (...p) => path.join(dir, ...p), daemon, logs: () => logs, cacheDir, stop, base };
}
