// A detached gcsmount (no --foreground) for the tests of daemonizing, unmounting and mount(8): the test
// runs the command through a shell as a user would (pipes, $(...), a pty, mount -a), so nothing here
// holds the daemon's stdio. Torn down on teardown: `gcsmount unmount`, then a lazy fusermount -u, then
// SIGKILL of the daemon pid (the one this test started, read from its pid file) if it still runs.

import type { ExecutionContext } from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processStartTime } from '../../daemon/lifecycle/pid-file.js';
import { GCSMOUNT, mounted } from './mount.js';
import { run } from './tools.js';

export interface DetachedSetup {
  base: string;
  dir: string;
  cacheDir: string;
  runtime: string;
  env: NodeJS.ProcessEnv;
  /** `gcsmount mount` flags for the emulator at `url` (anonymous, this test's cache dir). */
  flags(url: string): string[];
  /** The daemon's pid from its pid file (undefined when none is written). */
  daemonPid(): Promise<number | undefined>;
}

/** Whether the process runs (a zombie waiting for pid 1 to reap it does not count). */
export const alive = async (pid: number): Promise<boolean> => (await processStartTime(pid)) !== undefined;

export async function detachedSetup(t: ExecutionContext): Promise<DetachedSetup> {
  const base = await mkdtemp(path.join(tmpdir(), 'gcsmount-dt-'));
  const dir = path.join(base, 'mnt');
  const cacheDir = path.join(base, 'cache');
  const runtime = path.join(base, 'run');
  await mkdir(dir);
  const env = {
    ...process.env,
    GCSMOUNT_RUNTIME_DIR: runtime,
    BOTO_CONFIG: '/dev/null',
    GCSMOUNT_BIN: GCSMOUNT,
  };
  const daemonPid = async (): Promise<number | undefined> => {
    const names = await readdir(runtime).catch(() => [] as string[]);
    const pidFile = names.find((n) => n.endsWith('.pid'));
    if (!pidFile) return undefined;
    return Number((await readFile(path.join(runtime, pidFile), 'utf8')).split(' ')[0]);
  };
  const started: number[] = [];
  t.teardown(async () => {
    const pid = await daemonPid();
    if (pid !== undefined) started.push(pid);
    if (await mounted(dir)) await run(GCSMOUNT, ['unmount', dir], { env, timeoutMs: 30_000 });
    if (await mounted(dir)) await run('fusermount', ['-u', '-z', dir]);
    for (const p of started) if (await alive(p)) process.kill(p, 'SIGKILL');
    await rm(base, { recursive: true, force: true });
  });
  return {
    base,
    dir,
    cacheDir,
    runtime,
    env,
    flags: (url) => ['--endpoint', url, '--anonymous', '--cache-dir', cacheDir],
    daemonPid,
  };
}
