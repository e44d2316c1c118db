// What failures become for a POSIX caller (docs/SEMANTICS.md "Errors"): storage failures left after
// retries, and local ones from the cache dir.

import test from 'ava';
import { constants } from 'node:os';
import { FsError, toFsError, type FsErrorCode } from '../../../daemon/posix/errors.js';
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

const nodeError = (code: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: from the cache dir`), { code });

// A local failure that describes the machine keeps its errno; one that would describe the caller's path
// (our own staging file missing, ...) is EIO.
const cases: [string, FsErrorCode][] = [
  ['ENOSPC', 'no-space'],
  ['EDQUOT', 'no-space'],
  ['EACCES', 'access'],
  ['EPERM', 'perm'],
  ['EROFS', 'read-only'],
  ['EMFILE', 'too-many-files'],
  ['ENFILE', 'file-table-full'],
  ['ENOMEM', 'no-memory'],
  ['EFBIG', 'too-big'],
  ['ENOENT', 'io'],
  ['EEXIST', 'io'],
  ['EBADF', 'io'],
  ['ESOMETHINGNEW', 'io'],
];
for (const [code, expected] of cases) {
  test(`a Node ${code} becomes ${expected}`, (t) => {
    const e = toFsError(nodeError(code));
    t.is(e.code, expected);
    t.is(e.cause instanceof Error && e.cause.message, `${code}: from the cache dir`);
  });
}

test('a Node error that keeps its code reaches the kernel as that same errno', (t) => {
  for (const [code, expected] of cases) {
    if (expected === 'io' || code === 'EDQUOT') continue;
    t.is(ERRNO[toFsError(nodeError(code)).code], constants.errno[code as keyof typeof constants.errno], code);
  }
});

test('FsErrors pass through; storage errors go through their table; anything else is EIO', (t) => {
  const fsErr = new FsError('stale', 'x');
  t.is(toFsError(fsErr), fsErr);
  t.is(toFsError(new StorageError('precondition-failed', 'changed')).code, 'stale');
  t.is(toFsError('a string').code, 'io');
  t.is(toFsError(undefined).code, 'io');
});

test('routine answers (ENOENT, ENODATA, ENOTSUP) carry no stack; failures keep theirs', (t) => {
  const frames = (e: Error): number =>
    (e.stack ?? '').split('\n').filter((l) => l.trim().startsWith('at ')).length;
  for (const code of ['not-found', 'no-data', 'not-supported'] as const) {
    const e = new FsError(code, 'x');
    t.is(frames(e), 0, code);
    t.is(e.code, code);
    t.is(e.message, 'x');
  }
  t.true(frames(new FsError('io', 'x')) > 0);
  t.true(frames(new Error('after')) > 0, 'the stack limit is restored');
});
