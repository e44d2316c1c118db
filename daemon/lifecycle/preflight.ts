// Checks a mount makes before it touches the bucket, so a wrong setting fails in seconds with its cause
// instead of after the storage client's retries (70 s for a refused connection) or at the first create:
// the endpoint accepts a TCP connection within a short timeout, and the cache dir is writable and has room.
// Only reachability is checked here; whether the endpoint speaks the XML API is the bucket check's job.

import { randomBytes } from 'node:crypto';
import { rm, statfs, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { makeDirs } from './make-dirs.js';

export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

export const CONNECT_TIMEOUT_MS = 3000;
/** Staged writes need the cache dir: below this much free space every create would soon fail. */
export const MIN_CACHE_FREE_BYTES = 64 * 1024 * 1024;
const CACHE_CHECK_TIMEOUT_MS = 5000;

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/** Resolves once a TCP connection to the endpoint's host and port succeeds; else a PreflightError. */
export function checkEndpoint(endpoint: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (reason: string): void => {
      socket.destroy();
      reject(new PreflightError(`cannot reach ${endpoint} (${reason})`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => fail(REASONS[err.code ?? ''] ?? err.message));
  });
}

/** Creates the cache dir if needed, writes and removes a probe file, and checks the free space. */
export async function checkCacheDir(dir: string, minFree = MIN_CACHE_FREE_BYTES): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PreflightError(`cache dir ${dir} does not answer within ${CACHE_CHECK_TIMEOUT_MS / 1000} s`),
        ),
      CACHE_CHECK_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([probe(dir, minFree), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(dir: string, minFree: number): Promise<void> {
  const unusable = (err: unknown): PreflightError =>
    new PreflightError(
      `cache dir ${dir} is not usable (${(err as NodeJS.ErrnoException).code ?? String(err)}): ` +
        'staged writes need a writable directory; choose one with --cache-dir',
    );
  try {
    await makeDirs(dir, 0o700);
    const file = path.join(dir, `.gcsmount-probe-${randomBytes(6).toString('hex')}`);
    await writeFile(file, 'probe');
    await rm(file, { force: true });
  } catch (err) {
    throw unusable(err);
  }
  const s = await statfs(dir).catch((err: unknown) => {
    throw unusable(err);
  });
  const free = s.bavail * s.bsize;
  if (free < minFree) {
    throw new PreflightError(
      `cache dir ${dir} has only ${Math.floor(free / 1024 / 1024)} MiB free; staged writes need at least ` +
        `${minFree / 1024 / 1024} MiB (free some space, or choose another with --cache-dir)`,
    );
  }
}
