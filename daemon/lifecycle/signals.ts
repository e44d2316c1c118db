// Clean stop and cache reload. SIGTERM/SIGINT (and `gcsmount unmount`): stop taking new writes, upload
// every staged file (bounded wait), report what was drained and what was not, then unmount. SIGHUP drops
// the metadata caches. A second SIGTERM during the drain skips the rest of it.

import type { Logger } from '../../common/logger.js';

export interface StopHooks {
  drain(): Promise<{ uploaded: number; failed: string[] }>;
  unmount(): Promise<void>;
  reload(): void;
  status?(text: string): void;
}

export function handleSignals(h: StopHooks, logger: Logger, drainTimeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        logger.warn('second stop signal: unmounting without waiting for the drain', { signal });
        void h.unmount().finally(() => resolve(1));
        return;
      }
      stopping = true;
      logger.info('stopping: uploading staged files, then unmounting', { signal });
      h.status?.('draining staged uploads');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), drainTimeoutMs).unref());
      void Promise.race([h.drain(), timeout]).then(async (result) => {
        let code = 0;
        if (result === 'timeout') {
          logger.error('drain timed out; files still staged are kept in the cache dir', {
            timeoutMs: drainTimeoutMs,
          });
          code = 1;
        } else {
          logger.info('drained', { uploaded: result.uploaded, failed: result.failed.length });
          for (const f of result.failed)
            logger.error('could not upload; the bytes are kept in the cache dir', { object: f });
          if (result.failed.length > 0) code = 1;
        }
        h.status?.('unmounting');
        try {
          await h.unmount();
        } catch (err) {
          logger.error('unmount failed', { error: String(err) });
          code = 1;
        }
        resolve(code);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      logger.info('SIGHUP: dropping metadata caches');
      h.reload();
    });
  });
}
