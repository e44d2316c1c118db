// What storage failures left after retries become for a POSIX caller (docs/SEMANTICS.md "Errors").

import test from 'ava';
import { toFsError } from '../../../daemon/fs/errors.js';
import { ERRNO } from '../../../daemon/fuse/errno.js';
import { StorageError } from '../../../storage/errors.js';
import type { StorageErrorCode } from '../../../storage/errors.js';

const errnoOf = (code: StorageErrorCode): number => ERRNO[toFsError(new StorageError(code, code)).code];

test('Errors: a 429 left after retries is EAGAIN (try later), never EBUSY', (t) => {
  t.is(errnoOf('rate-limited'), 11);
});

test('Errors: a 5xx, a reset or an unknown failure left after retries is EIO; a 412 is ESTALE', (t) => {
  t.is(errnoOf('unavailable'), 5);
  t.is(errnoOf('network'), 5);
  t.is(toFsError(new Error('boom')).code, 'io');
  t.is(errnoOf('precondition-failed'), 116);
  t.is(errnoOf('conflict'), 16);
});
