// Detaching a mount from the shell that started it. The parent re-runs the command with --foreground in
// a new session (spawn's `detached` is setsid(2): no controlling terminal, so no SIGHUP when the terminal
// or SSH session closes), with stdin on /dev/null and stdout/stderr on the log file or /dev/null, never on
// the caller's pipes: `gcsmount mount ... | head -1` and `out=$(gcsmount mount ...)` must not keep a pipe
// open behind the command, nor kill the daemon when the reader goes away. The child reports over an IPC
// channel (closed by both sides once the mount answers): ready, with a line to print, or why it failed.

import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { makeDirs } from './make-dirs.js';

/** Set in the child's environment: it runs detached and reports through IPC instead of stderr. */
export const DETACHED_ENV = 'GCSMOUNT_DETACHED';

export type ChildReport = { ready: true; text: string } | { ready: false; error: string };

export function isDetachedChild(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[DETACHED_ENV] === '1' && typeof process.send === 'function';
}

/** Child side: sends one report to the parent and waits until it is handed to the channel. */
export function reportToParent(report: ChildReport): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(report, undefined, {}, () => resolve());
  });
}

/** Child side: closes the channel, so nothing of the parent's remains open in the daemon. */
export function detachFromParent(): void {
  if (process.connected) process.disconnect();
}

/** Parent side: starts the detached daemon and resolves with the command's exit code once it reports.
 *  A default log file (not --log-file) that cannot be opened is not fatal here: it lives in the cache
 *  dir, whose own check in the daemon then says what is wrong with it. */
export async function runDetached(
  argv: readonly string[],
  logFile: string | undefined,
  explicit: boolean,
): Promise<number> {
  let out: number | 'ignore' = 'ignore';
  let close = (): Promise<void> => Promise.resolve();
  if (logFile !== undefined) {
    try {
      await makeDirs(path.dirname(logFile));
      const handle = await open(logFile, 'a', 0o640);
      out = handle.fd;
      close = () => handle.close();
    } catch (err) {
      if (explicit) {
        process.stderr.write(
          `gcsmount mount: cannot open the log file ${logFile}: ${(err as Error).message}\n`,
        );
        return 1;
      }
    }
  }
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, script, 'mount', '--foreground', ...argv], {
    detached: true,
    stdio: ['ignore', out, out, 'ipc'],
    env: { ...process.env, [DETACHED_ENV]: '1' },
  });
  await close();
  return new Promise((resolve) => {
    let reported = false;
    child.once('message', (m: ChildReport) => {
      reported = true;
      if (m.ready) {
        process.stdout.write(`${m.text}\n`);
        child.unref();
        if (child.connected) child.disconnect();
        resolve(0);
      } else {
        process.stderr.write(`gcsmount mount: ${m.error}\n`);
        // The child exits right after its report; no need to wait for it.
        child.unref();
        if (child.connected) child.disconnect();
        resolve(1);
      }
    });
    child.once('exit', (code, signal) => {
      if (reported) return;
      process.stderr.write(
        `gcsmount mount: the daemon exited (${signal ?? `code ${code}`}) before the mount answered` +
          `${logFile ? `; see ${logFile}` : ''}\n`,
      );
      resolve(1);
    });
    child.once('error', (err) => {
      process.stderr.write(`gcsmount mount: could not start the daemon: ${err.message}\n`);
      resolve(1);
    });
  });
}
