// Mountpoint checks before mounting, with messages a user can act on: missing, not a directory, already
// mounted, or a stale FUSE mount left by a crash ("transport endpoint is not connected"), which is cleared;
// then whether the new mount answers (before READY=1) and whether it vanished under us (umount(8)).
// Every check is async: the same process serves the mount, and a blocked event loop would deadlock it.

import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';

export class MountpointError extends Error {}

/** The filesystem type mounted on top at `mountpoint`, from /proc/mounts text (later lines are on top). */
export function topMountType(mounts: string, mountpoint: string): string | undefined {
  const target = path.resolve(mountpoint).replace(/ /g, '\\040');
  let top: string | undefined;
  for (const line of mounts.split('\n')) {
    const f = line.split(' ');
    if (f[1] === target) top = f[2];
  }
  return top;
}

/** Whether a filesystem is mounted at `mountpoint`. An autofs trap alone (systemd's x-systemd.automount)
 *  does not count: it is what we mount on top of, and listing it would wait for our own mount. */
export async function isMounted(mountpoint: string): Promise<boolean> {
  const top = topMountType(await readFile('/proc/mounts', 'utf8'), mountpoint);
  return top !== undefined && top !== 'autofs';
}

export function fusermountUnmount(
  mountpoint: string,
  lazy = false,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('fusermount', ['-u', ...(lazy ? ['-z'] : []), mountpoint], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr: stderr.trim() }));
  });
}

export async function prepareMountpoint(mountpoint: string, logger: Logger): Promise<void> {
  let state: 'free' | 'busy' | 'stale';
  try {
    const s = await stat(mountpoint);
    if (!s.isDirectory()) throw new MountpointError(`mountpoint ${mountpoint} is not a directory`);
    // stat alone can pass on a dead FUSE mount (the kernel answers from its attribute cache for a
    // second); listing the directory has to reach the daemon, so it tells a live mount from a stale one.
    if (!(await isMounted(mountpoint))) state = 'free';
    else state = (await probeList(mountpoint)) === 'ENOTCONN' ? 'stale' : 'busy';
  } catch (err) {
    if (err instanceof MountpointError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new MountpointError(`mountpoint ${mountpoint} does not exist (mkdir -p ${mountpoint})`);
    if (code !== 'ENOTCONN') throw err;
    state = 'stale';
  }
  if (state === 'busy') {
    throw new MountpointError(
      `mountpoint ${mountpoint} is busy: something is already mounted there (gcsmount unmount ${mountpoint})`,
    );
  }
  if (state === 'stale') {
    logger.warn('clearing a stale mount left by a previous run', { mountpoint });
    const r = await fusermountUnmount(mountpoint, true);
    if (r.code !== 0) {
      throw new MountpointError(
        `mountpoint ${mountpoint} holds a stale mount that could not be cleared: ${r.stderr}`,
      );
    }
  }
}

/** Lists the directory: 'ok', the errno code, or 'timeout' (a live but hung daemon must not hang us). */
async function probeList(dir: string, timeoutMs = 5000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((r) => {
    timer = setTimeout(() => r('timeout'), timeoutMs);
  });
  const listed = readdir(dir).then(
    () => 'ok',
    (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error',
  );
  try {
    return await Promise.race([listed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the mount answers: listed in /proc/mounts and a stat of it succeeds (READY=1 waits for
 *  this, so a unit ordered after gcsmount@NAME finds files, not an empty directory). */
export async function waitUntilAnswers(
  mountpoint: string,
  timeoutMs: number,
  clock: Clock = systemClock,
): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  let last = 'not in /proc/mounts';
  while (clock.now() < deadline) {
    if (await isMounted(mountpoint)) {
      try {
        await stat(mountpoint);
        return;
      } catch (err) {
        last = `stat failed: ${String(err)}`;
      }
    }
    await clock.sleep(50);
  }
  throw new MountpointError(`mountpoint ${mountpoint} does not answer after ${timeoutMs} ms (${last})`);
}

/** Calls `onGone` once if the mount disappears without our doing (umount(8), fusermount -u), so the
 *  daemon exits instead of serving nothing. Returns a function that stops watching. */
export function watchUnmount(mountpoint: string, onGone: () => void, everyMs = 1000): () => void {
  let stopped = false;
  const timer = setInterval(() => {
    void isMounted(mountpoint).then(
      (yes) => {
        if (yes || stopped) return;
        stopped = true;
        clearInterval(timer);
        onGone();
      },
      () => undefined,
    );
  }, everyMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
