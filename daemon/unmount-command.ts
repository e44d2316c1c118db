// `gcsmount unmount MOUNTPOINT`: asks the daemon serving it to stop cleanly (SIGTERM: drain staged
// uploads, then unmount), says what it waits for ("waiting for 3 uploads (120 MiB)", from the daemon's
// status file) and returns once the mount is gone. The pid file is trusted only when /proc confirms it
// names the mount's daemon (pid-file.ts): a stale file after a crash never gets a stranger signalled; the
// mount is then cleared with fusermount -u. A daemon that dies during the stop ends the wait at once.

import { systemClock, type Clock } from '../common/clock.js';
import { fusermountUnmount, isMounted } from './lifecycle/mountpoint.js';
import { readPidFile, stillRunning, type DaemonProcess } from './lifecycle/pid-file.js';
import { describeUploads, readStatus } from './lifecycle/status-file.js';

/** Longer than the daemon's own drain bound (5 min) plus its unmount: past it, something is stuck. */
const WAIT_MS = 10 * 60_000;
const POLL_MS = 200;

const say = (text: string): void => void process.stderr.write(`gcsmount unmount: ${text}\n`);

export async function unmountMain(argv: string[], clock: Clock = systemClock): Promise<number> {
  const mountpoint = argv.find((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h') || mountpoint === undefined) {
    process.stdout.write(
      'usage: gcsmount unmount MOUNTPOINT\n\nStops the mount cleanly: staged uploads finish first.\n',
    );
    return mountpoint === undefined && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
  }
  if (!(await isMounted(mountpoint))) {
    say(`${mountpoint} is not mounted`);
    return 1;
  }
  const recorded = await readPidFile(mountpoint);
  if (recorded.state === 'none') {
    say(`no gcsmount daemon is recorded for ${mountpoint}; unmounting with fusermount -u`);
    return fallback(mountpoint);
  }
  if (recorded.state === 'stale') {
    say(`the pid file is stale (${recorded.why}); unmounting with fusermount -u`);
    return fallback(mountpoint);
  }
  return stopDaemon(mountpoint, recorded.daemon, clock);
}

async function fallback(mountpoint: string): Promise<number> {
  const r = await fusermountUnmount(mountpoint);
  if (r.code === 0) return 0;
  say(
    `${r.stderr}${/busy/i.test(r.stderr) ? ' (files are open in it: close them, or fusermount -u -z)' : ''}`,
  );
  return 1;
}

async function stopDaemon(mountpoint: string, daemon: DaemonProcess, clock: Clock): Promise<number> {
  try {
    process.kill(daemon.pid, 'SIGTERM');
  } catch {
    // Gone between the check and the signal: what is left is a dead mount.
    return fallback(mountpoint);
  }
  say(`asked gcsmount (pid ${daemon.pid}) to stop: staged uploads finish first`);
  let told = '';
  const deadline = clock.now() + WAIT_MS;
  while (clock.now() < deadline) {
    if (!(await isMounted(mountpoint))) return 0;
    if (!(await stillRunning(daemon))) {
      say(`gcsmount (pid ${daemon.pid}) exited without unmounting; unmounting with fusermount -u`);
      await fallback(mountpoint);
      return 1;
    }
    const status = await readStatus(mountpoint);
    const now =
      status?.pid !== daemon.pid
        ? ''
        : status.uploads.pending > 0
          ? `waiting for ${describeUploads(status.uploads)}`
          : status.state === 'unmounting'
            ? 'unmounting'
            : '';
    if (now !== '' && now !== told) say(now);
    told = now || told;
    await clock.sleep(POLL_MS);
  }
  say(`${mountpoint} is still mounted after ${WAIT_MS / 1000}s (daemon pid ${daemon.pid})`);
  return 1;
}
