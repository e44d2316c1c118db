// THE mapping from filesystem errors to Linux errno values, exhaustive by type: a new FsErrorCode without
// an errno fails to compile. fuse-native expects the negated value.

import type { FsErrorCode } from '../posix/errors.js';

export const ERRNO: Record<FsErrorCode, number> = {
  perm: 1, // EPERM
  'not-found': 2, // ENOENT
  interrupted: 4, // EINTR
  io: 5, // EIO
  'bad-fd': 9, // EBADF
  again: 11, // EAGAIN
  'no-memory': 12, // ENOMEM
  access: 13, // EACCES
  busy: 16, // EBUSY
  exists: 17, // EEXIST
  'cross-device': 18, // EXDEV
  'not-dir': 20, // ENOTDIR
  'is-dir': 21, // EISDIR
  invalid: 22, // EINVAL
  'file-table-full': 23, // ENFILE
  'too-many-files': 24, // EMFILE
  'too-big': 27, // EFBIG
  'no-space': 28, // ENOSPC
  'read-only': 30, // EROFS
  range: 34, // ERANGE
  'name-too-long': 36, // ENAMETOOLONG
  'no-sys': 38, // ENOSYS
  'not-empty': 39, // ENOTEMPTY
  'no-data': 61, // ENODATA
  'not-supported': 95, // ENOTSUP
  timeout: 110, // ETIMEDOUT
  stale: 116, // ESTALE
};

/** Errors a lookup produces all the time (a shell probing names); logged at debug, not warn. */
export const QUIET: ReadonlySet<FsErrorCode> = new Set([
  'not-found',
  'no-data',
  'exists',
  'not-empty',
  'range',
]);
