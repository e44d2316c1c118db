// Clean stop and cache reload. SIGTERM/SIGINT (systemd, `gcsmount unmount --force`): stop taking new
// writes, keep for recovery what files still open for writing hold (never uploaded half-written), upload
// every other staged file (bounded wait), report what was drained and what was not, then unmount. SIGUSR2
// (a plain `gcsmount unmount`) is the polite stop: refused, and the mount keeps serving, while any file is
// open for writing (the refusal goes out through the `refuse` hook: the status file). SIGHUP drops
// the metadata caches. A second SIGTERM during the drain skips the rest of it. Tells systemd (through the
// optional hooks) STOPPING=1 and STATUS= lines, and keeps extending its stop timeout while a drain runs.

import type { Logger } from '../../common/logger.js';

export interface StopHooks {
  drain(): Promise<{ uploaded: number; failed: string[]; kept?: string[] }>;
  /** Files open for writing now (a polite stop is refused while there are any). */
  busy?(): string[];
  /** A polite stop was refused over these files. */
  refuse?(files: string[]): void;
  unmount(): Promise<void>;
  reload(): void;
  /** Resolves with a reason to stop without a signal (the mount was unmounted from outside: drain what
   *  open files still hold, then exit). */
  stopWhen?: Promise<string>;
  /** Called once when a stop begins (e.g. to stop watching for an external unmount). */
  onStop?(): void;
  status?(text: string): void;
  stopping?(text: string): void;
  /** Asks the service manager for `ms` more time (EXTEND_TIMEOUT_USEC). */
  extendTimeout?(ms: number): void;
}

/** While draining, ask for this much more time every EXTEND_EVERY_MS, so systemd's TimeoutStopSec never
 *  kills a drain that is still within its own bound. */
const EXTEND_EVERY_MS = 10_000;
const EXTEND_BY_MS = 30_000;

export function handleSignals(h: StopHooks, logger: Logger, drainTimeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        logger.warn('second stop signal: unmounting without waiting for the drain', { signal });
        h.status?.('unmounting without waiting for the drain');
        void h.unmount().finally(() => resolve(1));
        return;
      }
      stopping = true;
      h.onStop?.();
      logger.info('stopping: uploading staged files, then unmounting', { reason: signal });
      h.stopping?.('draining staged uploads');
      h.extendTimeout?.(Math.min(EXTEND_BY_MS, drainTimeoutMs) + EXTEND_EVERY_MS);
      const extender = setInterval(() => h.extendTimeout?.(EXTEND_BY_MS), EXTEND_EVERY_MS);
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), drainTimeoutMs).unref());
      void Promise.race([h.drain(), timeout]).then(async (result) => {
        clearInterval(extender);
        let code = 0;
        if (result === 'timeout') {
          logger.error('drain timed out; files still staged are kept in the cache dir', {
            timeoutMs: drainTimeoutMs,
          });
          code = 1;
        } else {
          logger.info('drained', {
            uploaded: result.uploaded,
            failed: result.failed.length,
            keptOpen: result.kept?.length ?? 0,
          });
          for (const f of result.failed)
            logger.error('could not upload; the bytes are kept in the cache dir', { object: f });
          if (result.failed.length > 0) code = 1;
        }
        h.status?.(
          result === 'timeout'
            ? 'drain timed out; unmounting'
            : `drained ${result.uploaded} file(s)${result.failed.length ? `, ${result.failed.length} kept` : ''}` +
                `${result.kept?.length ? `, ${result.kept.length} open for writing kept for recovery` : ''}; unmounting`,
        );
        try {
          await h.unmount();
        } catch (err) {
          logger.error('unmount failed', { error: String(err) });
          code = 1;
        }
        resolve(code);
      });
    };
    void h.stopWhen?.then((reason) => {
      if (!stopping) stop(reason);
    });
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGUSR2', () => {
      if (stopping) return;
      const open = h.busy?.() ?? [];
      if (open.length === 0) return stop('gcsmount unmount');
      logger.warn('unmount refused: files are open for writing (gcsmount unmount --force keeps them)', {
        files: open.join(' '),
      });
      h.refuse?.(open);
    });
    process.on('SIGHUP', () => {
      logger.info('SIGHUP: dropping metadata caches');
      h.reload();
    });
  });
}
