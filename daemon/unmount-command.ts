// `gcsmount unmount MOUNTPOINT`: asks the daemon serving it to stop cleanly (SIGTERM: drain staged
// uploads, then unmount) and waits until the mount is gone; with no daemon known (a crash left it, or it
// was mounted another way) falls back to fusermount -u.

import { setTimeout as sleep } from 'node:timers/promises';
import { fusermountUnmount, isMounted } from './lifecycle/mountpoint.js';
import { readPid } from './lifecycle/pid-file.js';

const WAIT_MS = 10 * 60_000;

export async function unmountMain(argv: string[]): Promise<number> {
  const mountpoint = argv.find((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h') || mountpoint === undefined) {
    process.stdout.write(
      'usage: gcsmount unmount MOUNTPOINT\n\nStops the mount cleanly: staged uploads finish first.\n',
    );
    return mountpoint === undefined && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
  }
  if (!(await isMounted(mountpoint))) {
    process.stderr.write(`gcsmount unmount: ${mountpoint} is not mounted\n`);
    return 1;
  }
  const pid = await readPid(mountpoint);
  if (pid === undefined) {
    const r = await fusermountUnmount(mountpoint);
    if (r.code !== 0) process.stderr.write(`gcsmount unmount: ${r.stderr}\n`);
    return r.code === 0 ? 0 : 1;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (!(await isMounted(mountpoint))) return 0;
    await sleep(100);
  }
  process.stderr.write(
    `gcsmount unmount: ${mountpoint} is still mounted after ${WAIT_MS / 1000}s (daemon pid ${pid})\n`,
  );
  return 1;
}
