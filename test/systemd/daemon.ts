// A foreground gcsmount daemon for the service tests: like test/helpers/mount.ts, but the test chooses
// the environment (NOTIFY_SOCKET, WATCHDOG_USEC, ...) and the mountpoint (to mount twice on one), and
// decides itself when the mount should be up. Torn down on teardown: SIGKILL, then a lazy unmount.

import type { ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSocket } from 'unix-dgram';
import type { TestEmulator } from '../helpers/emulator.js';
import { GCSMOUNT, mounted } from '../helpers/mount.js';
import { run } from '../helpers/tools.js';

export interface Daemon {
  child: ChildProcess;
  logs(): string;
  exited: Promise<number | null>;
}

/** A temp dir with mnt/ and cache/; removed (after a lazy unmount of mnt) on teardown. */
export async function workDir(t: ExecutionContext): Promise<{ base: string; dir: string; cacheDir: string }> {
  const base = await mkdtemp(path.join(tmpdir(), 'gcsmount-sd-'));
  const dir = path.join(base, 'mnt');
  await mkdir(dir);
  t.teardown(async () => {
    if (await mounted(dir)) await run('fusermount', ['-u', '-z', dir]);
    await rm(base, { recursive: true, force: true });
  });
  return { base, dir, cacheDir: path.join(base, 'cache') };
}

export function startDaemon(
  t: ExecutionContext,
  o: {
    emu: TestEmulator;
    base: string;
    dir: string;
    bucket: string;
    env?: NodeJS.ProcessEnv;
    flags?: string[];
  },
): Daemon {
  const child = spawn(
    GCSMOUNT,
    [
      'mount',
      '--foreground',
      '--endpoint',
      o.emu.url,
      '--anonymous',
      '--cache-dir',
      path.join(o.base, 'cache'),
      ...(o.flags ?? []),
      o.bucket,
      o.dir,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GCSMOUNT_RUNTIME_DIR: path.join(o.base, 'run'),
        BOTO_CONFIG: '/dev/null',
        ...o.env,
      },
    },
  );
  let logs = '';
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, logs: () => logs, exited };
}

/** Bounded wait for a promise, so a test fails with a message instead of hanging until ava's timeout. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface NotifyListener {
  path: string;
  /** Every datagram received so far, parsed into KEY=value maps. */
  messages: Record<string, string>[];
  /** The first message (already received or future) that has `key`. */
  next(key: string): Promise<Record<string, string>>;
}

/** A NOTIFY_SOCKET the test listens on, as systemd would. */
export function notifySocket(t: ExecutionContext, base: string): NotifyListener {
  const socketPath = path.join(base, 'notify.sock');
  const messages: Record<string, string>[] = [];
  const waiters: { key: string; resolve: (m: Record<string, string>) => void }[] = [];
  const socket = createSocket('unix_dgram', (buf) => {
    const m: Record<string, string> = {};
    for (const line of buf.toString().split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) m[line.slice(0, eq)] = line.slice(eq + 1);
    }
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.key in m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  socket.bind(socketPath);
  t.teardown(() => {
    socket.close();
  });
  return {
    path: socketPath,
    messages,
    next: (key) => {
      const seen = messages.find((m) => key in m);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ key, resolve }));
    },
  };
}
