// Where the daemon's log lines go, and the promise that writing them never kills it. The logger
// (common/logger.ts) formats; a sink delivers: stderr (foreground), a --log-file (appended; reopened on
// SIGHUP so logrotate can move it), or syslog (/dev/log, which journald also serves) for a detached
// daemon without a log file. A sink swallows its write errors (EPIPE from a closed pipe, EIO from a
// closed pty, ENOSPC): a mount that serves files is worth more than a log line.

import { createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { makeDirs } from './make-dirs.js';

export interface LogSink {
  /** Human-readable destination ("stderr", "syslog", a path), for the status file and the start line. */
  readonly where: string;
  write(line: string): void;
  /** Reopens the destination (a file moved away by logrotate). */
  reopen(): void;
  close(): Promise<void>;
}

/** The standard streams of a process whose reader may go away (`| head -1`, a closed terminal). */
export function ignoreStdioErrors(): void {
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
}

export function stderrSink(): LogSink {
  ignoreStdioErrors();
  return {
    where: 'stderr',
    write: (line) => {
      try {
        process.stderr.write(line + '\n');
      } catch {
        /* a closed stderr is not a reason to stop serving */
      }
    },
    reopen: () => undefined,
    close: () => Promise.resolve(),
  };
}

export async function fileSink(file: string): Promise<LogSink> {
  await makeDirs(path.dirname(file));
  const open = (): WriteStream => {
    const s = createWriteStream(file, { flags: 'a', mode: 0o640 });
    // A failed stream drops lines until the next reopen; the error itself cannot be logged anywhere.
    s.on('error', () => undefined);
    return s;
  };
  let stream = open();
  let ending: Promise<void> = Promise.resolve();
  // Opening is asynchronous: report an unusable path now, not as lines silently lost later.
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return {
    where: file,
    write: (line) => {
      if (!stream.destroyed) stream.write(line + '\n');
    },
    reopen: () => {
      const old = stream;
      stream = open();
      // Lines already queued still go to the old (moved) file: its descriptor outlives the rename.
      const ended = new Promise<void>((resolve) => old.end(resolve));
      const before = ending;
      ending = Promise.all([before, ended]).then(() => undefined);
    },
    close: async () => {
      await new Promise((resolve) => stream.end(resolve));
      await ending;
    },
  };
}

type UnixDgram = typeof import('unix-dgram');

/** RFC 3164 facility "daemon". */
const FACILITY_DAEMON = 3;

/** A journald-format line (`<6>INFO ...`) as a syslog datagram: `<30>gcsmount[PID]: INFO ...`. */
export function syslogMessage(line: string, pid: number): string {
  const m = /^<([0-7])>/.exec(line);
  const severity = m ? Number(m[1]) : 6;
  const body = m ? line.slice(m[0].length) : line;
  return `<${FACILITY_DAEMON * 8 + severity}>gcsmount[${pid}]: ${body}`;
}

/** Syslog on /dev/log, or undefined when there is none (a container without a syslog daemon). Expects
 *  journald-format lines (the priority prefix becomes the syslog severity). */
export async function syslogSink(socketPath = '/dev/log'): Promise<LogSink | undefined> {
  const isSocket = await stat(socketPath).then(
    (s) => s.isSocket(),
    () => false,
  );
  if (!isSocket) return undefined;
  let dgram: UnixDgram;
  try {
    dgram = createRequire(import.meta.url)('unix-dgram') as UnixDgram;
  } catch {
    return undefined;
  }
  const socket = dgram.createSocket('unix_dgram');
  socket.on('error', () => undefined);
  return {
    where: `syslog (${socketPath})`,
    write: (line) => {
      const buf = Buffer.from(syslogMessage(line, process.pid));
      socket.send(buf, 0, buf.length, socketPath, () => undefined);
    },
    reopen: () => undefined,
    close: () => {
      socket.close();
      return Promise.resolve();
    },
  };
}

/** The log file of a detached daemon: --log-file, else none when syslog takes the lines, else
 *  `defaultFile` (a container has no /dev/log; the lines must still land somewhere a person can find). */
export async function detachedLogFile(
  logFile: string | undefined,
  defaultFile: string,
  socketPath = '/dev/log',
): Promise<string | undefined> {
  if (logFile !== undefined) return path.resolve(logFile);
  const hasSyslog = await stat(socketPath).then(
    (s) => s.isSocket(),
    () => false,
  );
  return hasSyslog ? undefined : defaultFile;
}

/** The sink for this run: a file when one is chosen, syslog for a detached daemon, else stderr. */
export async function openLogSink(file: string | undefined, detached: boolean): Promise<LogSink> {
  if (file !== undefined) {
    ignoreStdioErrors();
    return fileSink(file);
  }
  if (detached) {
    ignoreStdioErrors();
    const syslog = await syslogSink();
    if (syslog) return syslog;
  }
  return stderrSink();
}
