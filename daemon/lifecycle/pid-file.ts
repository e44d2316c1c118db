// Where a running mount records its pid, so `gcsmount unmount MOUNTPOINT` can ask it to stop cleanly
// (drain uploads, then unmount) instead of yanking the mount from under it. Keyed by a hash of the
// mountpoint's absolute path; kept in /run/gcsmount (or the temp dir when /run is not writable).

import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

async function runtimeDir(): Promise<string> {
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

async function pidPath(mountpoint: string): Promise<string> {
  const id = createHash('sha256').update(path.resolve(mountpoint)).digest('hex').slice(0, 24);
  return path.join(await runtimeDir(), `${id}.pid`);
}

export async function writePid(mountpoint: string): Promise<() => Promise<void>> {
  const file = await pidPath(mountpoint);
  await writeFile(file, `${process.pid}\n`);
  return () => rm(file, { force: true });
}

/** The pid of the live daemon serving `mountpoint`, if any. */
export async function readPid(mountpoint: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(await pidPath(mountpoint), 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}
