import test from 'ava';
import { cachedNotFound, isStorageError } from '../../storage/errors.js';

test('cachedNotFound is a not-found naming the object, made without a stack trace', (t) => {
  const e = cachedNotFound('bkt', 'd/');
  t.true(isStorageError(e, 'not-found'));
  t.is(e.bucket, 'bkt');
  t.is(e.object, 'd/');
  t.is(e.message, 'd/: not found (cached)');
  t.false(/\n\s+at /.test(e.stack ?? ''), e.stack);
  t.true(Error.stackTraceLimit > 0, 'the limit is restored');
});
