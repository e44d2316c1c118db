// `gcsmount unmount [--force] MOUNTPOINT`: asks the daemon serving it to stop cleanly (drain staged
// uploads, then unmount). A plain unmount is refused while files are open for writing (SIGUSR2, the
// polite stop: the daemon answers in its status file; exit 16, EBUSY, naming the files); --force (SIGTERM,
// as systemd stops it) keeps those files for `gcsmount recover` instead of uploading them half-written.
// It says what it waits for ("waiting for 3 uploads (120 MiB)", from the daemon's
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

/** The exit status of a refused unmount: EBUSY's number. */
export const EXIT_BUSY = 16;

export async function unmountMain(argv: string[], clock: Clock = systemClock): Promise<number> {
  const mountpoint = argv.find((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h') || mountpoint === undefined) {
    process.stdout.write(
      'usage: gcsmount unmount [--force] MOUNTPOINT\n\nStops the mount cleanly: staged uploads finish first.\n' +
        'Refused (exit 16, EBUSY) while files are open for writing, unless --force: their bytes are\n' +
        'then kept for `gcsmount recover`, never uploaded half-written.\n',
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
  return stopDaemon(mountpoint, recorded.daemon, argv.includes('--force') || argv.includes('-f'), clock);
}

async function fallback(mountpoint: string): Promise<number> {
  const r = await fusermountUnmount(mountpoint);
  if (r.code === 0) return 0;
  say(
    `${r.stderr}${/busy/i.test(r.stderr) ? ' (files are open in it: close them, or fusermount -u -z)' : ''}`,
  );
  return 1;
}

async function stopDaemon(
  mountpoint: string,
  daemon: DaemonProcess,
  force: boolean,
  clock: Clock,
): Promise<number> {
  const before = await readStatus(mountpoint);
  // The polite stop only where the daemon says it knows it (an older one would die of SIGUSR2).
  const polite = !force && before?.pid === daemon.pid && before.politeStop === true;
  const sentAt = clock.now();
  try {
    process.kill(daemon.pid, polite ? 'SIGUSR2' : 'SIGTERM');
  } catch {
    // Gone between the check and the signal: what is left is a dead mount.
    return fallback(mountpoint);
  }
  say(`asked gcsmount (pid ${daemon.pid}) to stop: staged uploads finish first`);
  const open = before?.pid === daemon.pid ? (before.openForWriting ?? []) : [];
  if (force && open.length > 0)
    say(`open for writing, kept for recovery (gcsmount recover list): ${open.join(' ')}`);
  let told = '';
  const deadline = clock.now() + WAIT_MS;
  while (clock.now() < deadline) {
    if (!(await isMounted(mountpoint))) return 0;
    const refused = polite ? (await readStatus(mountpoint))?.refused : undefined;
    if (refused && refused.at >= sentAt) {
      say(
        `${mountpoint}: EBUSY: files are open for writing: ${refused.files.join(' ')} ` +
          '(close them, or gcsmount unmount --force keeps them for gcsmount recover)',
      );
      return EXIT_BUSY;
    }
    if (!(await stillRunning(daemon))) {
      say(`gcsmount (pid ${daemon.pid}) exited without unmounting; unmounting with fusermount -u`);
      await fallback(mountpoint);
      return 1;
    }
    const status = await readStatus(mountpoint);
    const now =
      status?.pid !== daemon.pid
        ? ''
        : // Only once the stop has set the open writers' bytes aside: those are not waited for.
          status.state !== 'serving' && status.uploads.pending > 0 && !status.openForWriting?.length
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
