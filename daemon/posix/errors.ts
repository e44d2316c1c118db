// Errors of the filesystem core: a closed set of POSIX-shaped codes, each mapped to exactly one errno in
// fuse/errno.ts. Storage errors are translated here, in one table, so no caller ever decides an errno by
// itself and none matches on message text. It lives in daemon/posix, beside the POSIX attribute keys,
// because both the filesystem core (daemon/fs) and the write path (daemon/write) raise it.

import { isStorageError, type StorageErrorCode } from '../../storage/errors.js';

export type FsErrorCode =
  | 'not-found'
  | 'exists'
  | 'not-empty'
  | 'not-dir'
  | 'is-dir'
  | 'stale'
  | 'read-only'
  | 'name-too-long'
  | 'too-big'
  | 'io'
  | 'not-supported'
  | 'no-sys'
  | 'invalid'
  | 'access'
  | 'perm'
  | 'no-data'
  | 'range'
  | 'busy'
  | 'again'
  | 'cross-device'
  | 'no-space'
  | 'timeout'
  | 'interrupted'
  | 'bad-fd'
  | 'no-memory'
  | 'too-many-files'
  | 'file-table-full';

/** Answers rather than failures (a missing name, an attribute that is not there, a foreign xattr
 *  namespace): `cp -r` and every write(2) (the kernel's security.capability probe) raise them by the
 *  thousand, so they carry no stack, whose capture was most of their cost (5-14 us each). */
const ROUTINE: ReadonlySet<FsErrorCode> = new Set<FsErrorCode>(['not-found', 'no-data', 'not-supported']);

export class FsError extends Error {
  readonly code: FsErrorCode;

  constructor(code: FsErrorCode, message: string, options?: { cause?: unknown }) {
    const limit = Error.stackTraceLimit;
    if (ROUTINE.has(code)) Error.stackTraceLimit = 0;
    try {
      super(message, options);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.code = code;
    this.name = 'FsError';
  }
}

/** What a storage failure means to a POSIX caller. 412 is ESTALE: someone else changed the object. */
const FROM_STORAGE: Record<StorageErrorCode, FsErrorCode> = {
  'not-found': 'not-found',
  'bucket-not-found': 'not-found',
  'already-exists': 'exists',
  'bucket-not-empty': 'not-empty',
  'precondition-failed': 'stale',
  'not-modified': 'io',
  conflict: 'busy',
  'range-not-satisfiable': 'io',
  'invalid-argument': 'invalid',
  'invalid-name': 'invalid',
  'too-large': 'too-big',
  integrity: 'io',
  unauthenticated: 'access',
  forbidden: 'access',
  credentials: 'access',
  // Left after retries with backoff: the store asks us to slow down, so try again later (not EBUSY).
  'rate-limited': 'again',
  unavailable: 'io',
  timeout: 'timeout',
  network: 'io',
  'not-implemented': 'not-supported',
  aborted: 'interrupted',
};

/** What a local failure (staging files, the disk cache, under --cache-dir) means to a POSIX caller: the
 *  same errno where it describes the machine (no space, no permission on the cache dir, a read-only
 *  disk, out of descriptors or memory). The rest (ENOENT, EEXIST, EBADF, ... of our own files) stay EIO:
 *  passed on, they would describe the caller's path, which is not what failed. */
const FROM_NODE: Partial<Record<string, FsErrorCode>> = {
  ENOSPC: 'no-space',
  EDQUOT: 'no-space',
  EACCES: 'access',
  EPERM: 'perm',
  EROFS: 'read-only',
  EMFILE: 'too-many-files',
  ENFILE: 'file-table-full',
  ENOMEM: 'no-memory',
  EFBIG: 'too-big',
};

/** Any thrown value as an FsError (unknown failures are EIO, never swallowed). */
export function toFsError(err: unknown): FsError {
  if (err instanceof FsError) return err;
  if (isStorageError(err)) return new FsError(FROM_STORAGE[err.code], err.message, { cause: err });
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const local = code === undefined ? undefined : FROM_NODE[code];
  if (local) return new FsError(local, String(err), { cause: err });
  return new FsError('io', err instanceof Error ? err.message : String(err), { cause: err });
}
