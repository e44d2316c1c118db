// Where a running mount records its pid, so `gcsmount unmount MOUNTPOINT` can ask it to stop cleanly
// (drain uploads, then unmount) instead of yanking the mount from under it. Keyed by a hash of the
// mountpoint's absolute path; kept in /run/gcsmount (or the temp dir when /run is not writable).
// A crash leaves the file behind and the kernel reuses pids, so the file also records the process start
// time (/proc/PID/stat field 22), and a reader trusts the pid only when that start time still matches
// and /proc/PID/cmdline is a `gcsmount mount`: a stranger that inherited the pid is never signalled.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function runtimeDir(): Promise<string> {
  for (const dir of [
    process.env.GCSMOUNT_RUNTIME_DIR,
    '/run/gcsmount',
    path.join(tmpdir(), 'gcsmount-run'),
  ]) {
    if (!dir) continue;
    try {
      await mkdir(dir, { recursive: true, mode: 0o755 });
      return dir;
    } catch {
      /* try the next */
    }
  }
  throw new Error('no writable runtime directory for the pid file');
}

/** `<runtime dir>/<hash of the mountpoint><suffix>`: the pid file and its siblings (the status file). */
export async function runtimePath(mountpoint: string, suffix: string): Promise<string> {
  const id = createHash('sha256').update(path.resolve(mountpoint)).digest('hex').slice(0, 24);
  return path.join(await runtimeDir(), `${id}${suffix}`);
}

/** The start time of a live process in clock ticks since boot, or undefined when it is gone (a zombie
 *  counts as gone: it serves nothing, it only waits for its parent to reap it). */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Whether /proc/PID/cmdline is a gcsmount mount daemon (node .../daemon/cli.js mount ...). */
export async function isGcsmountDaemon(pid: number): Promise<boolean> {
  try {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return args.some((a) => a.endsWith(`${path.sep}daemon${path.sep}cli.js`)) && args.includes('mount');
  } catch {
    return false;
  }
}

export interface DaemonProcess {
  pid: number;
  startTime: string;
}

export async function writePid(mountpoint: string): Promise<() => Promise<void>> {
  const file = await pidPath(mountpoint);
  const startTime = (await processStartTime(process.pid)) ?? '';
  await writeFile(file, `${process.pid} ${startTime}\n`);
  return () => rm(file, { force: true });
}

function pidPath(mountpoint: string): Promise<string> {
  return runtimePath(mountpoint, '.pid');
}

export type PidFileState =
  { state: 'none' } | { state: 'stale'; pid: number; why: string } | { state: 'live'; daemon: DaemonProcess };

/** What the pid file of `mountpoint` says, checked against /proc. */
export async function readPidFile(mountpoint: string): Promise<PidFileState> {
  let text: string;
  try {
    text = await readFile(await pidPath(mountpoint), 'utf8');
  } catch {
    return { state: 'none' };
  }
  const [pidText, recorded] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return { state: 'none' };
  const startTime = await processStartTime(pid);
  if (startTime === undefined) return { state: 'stale', pid, why: `pid ${pid} is not running` };
  // A file without a start time (written before it was recorded) cannot prove the pid is ours.
  if (recorded !== startTime) {
    return { state: 'stale', pid, why: `pid ${pid} was started after the mount's daemon (reused pid)` };
  }
  if (!(await isGcsmountDaemon(pid)))
    return { state: 'stale', pid, why: `pid ${pid} is not a gcsmount daemon` };
  return { state: 'live', daemon: { pid, startTime } };
}

/** Whether the very process recorded in `d` still runs (same pid and start time). */
export async function stillRunning(d: DaemonProcess): Promise<boolean> {
  return (await processStartTime(d.pid)) === d.startTime;
}

/** The pid of the live daemon serving `mountpoint`, if any. */
export async function readPid(mountpoint: string): Promise<number | undefined> {
  const s = await readPidFile(mountpoint);
  return s.state === 'live' ? s.daemon.pid : undefined;
}
