// `gcsmount status MOUNTPOINT [--json]`: what the daemon serving a mount is doing (pending uploads, cache
// use, errors), read from its status file (lifecycle/status-file.ts) once /proc confirms the daemon is the
// one its pid file names. Exit 0 when a live daemon answered, 1 otherwise (with the reason).

import { isMounted } from './lifecycle/mountpoint.js';
import { readPidFile } from './lifecycle/pid-file.js';
import { formatBytes, readStatus, type MountStatus } from './lifecycle/status-file.js';

const USAGE = `usage: gcsmount status MOUNTPOINT [--json]

Shows what the daemon serving MOUNTPOINT is doing: pending uploads, cache use, errors.
`;

export async function statusMain(argv: string[]): Promise<number> {
  const mountpoint = argv.find((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h') || mountpoint === undefined) {
    process.stdout.write(USAGE);
    return mountpoint === undefined && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
  }
  const fail = (why: string): number => {
    process.stderr.write(`gcsmount status: ${why}\n`);
    return 1;
  };
  const mounted = await isMounted(mountpoint);
  const recorded = await readPidFile(mountpoint);
  if (recorded.state !== 'live') {
    if (!mounted) return fail(`${mountpoint} is not mounted`);
    return fail(
      `${mountpoint} is mounted but no live gcsmount daemon serves it` +
        (recorded.state === 'stale' ? ` (stale pid file: ${recorded.why})` : '') +
        ` (after a crash: fusermount -u ${mountpoint}, see docs/TROUBLESHOOTING.md)`,
    );
  }
  const status = await readStatus(mountpoint);
  if (status?.pid !== recorded.daemon.pid)
    return fail(`the daemon (pid ${recorded.daemon.pid}) has not published its status yet`);
  process.stdout.write(argv.includes('--json') ? JSON.stringify(status, null, 2) + '\n' : describe(status));
  return 0;
}

export function describe(s: MountStatus): string {
  const lines = [
    `gs://${s.bucket} at ${s.mountpoint}: ${s.state} (pid ${s.pid}, since ${s.startedAt})`,
    `uploads: ${s.uploads.pending} pending (${formatBytes(s.uploads.bytes)})` +
      (s.uploads.queue
        ? `; queue: ${s.uploads.queue.queued} waiting, ${s.uploads.queue.uploading} uploading; ` +
          `${s.uploads.queue.uploadedFiles} uploaded (${formatBytes(s.uploads.queue.uploadedBytes)}), ` +
          `${s.uploads.queue.failures} failed, ${s.uploads.queue.retries} retried`
        : ''),
    ...s.uploads.objects.map((o) => `  ${o}`),
    ...(s.uploads.pending > s.uploads.objects.length
      ? [`  ... and ${s.uploads.pending - s.uploads.objects.length} more`]
      : []),
    `cache: memory ${formatBytes(s.cache.memoryBytes)}` +
      (s.cache.diskBytes === undefined ? '' : `, disk ${formatBytes(s.cache.diskBytes)}`) +
      `; ${s.cache.hits} hits, ${s.cache.misses} misses`,
    `errors: ${s.errors.ops} failed operations` +
      (s.errors.last ? ` (last: ${s.errors.last.op} ${s.errors.last.errno} at ${s.errors.last.at})` : ''),
    `kept uploads: ${s.errors.keptUploads}${s.errors.keptUploads > 0 ? ` in ${s.keptDir}` : ''}`,
    `logs: ${s.logs}`,
  ];
  return lines.join('\n') + '\n';
}
