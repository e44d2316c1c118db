import test from 'ava';
import { FsError } from '../../../daemon/posix/errors.js';
import {
  canBeDir,
  isShowableName,
  locate,
  markerKey,
  MAX_KEY_BYTES,
  type Layout,
} from '../../../daemon/fs/paths.js';

const bucket: Layout = { project: false, bucket: 'b', onlyDir: '' };
const seg = (n: number, c = 'a'): string => c.repeat(n);
/** A path of 255-byte segments (the last one shorter) whose object name is exactly `bytes` long. */
function pathOf(bytes: number): string {
  const parts: string[] = [];
  let left = bytes;
  while (left > 0) {
    // Leave at least one byte for the segment after the next '/'.
    const n = left <= 255 ? left : Math.min(255, left - 2);
    parts.push(seg(n, String.fromCharCode(97 + parts.length)));
    left -= n + 1; // the '/' before the next segment
  }
  return '/' + parts.join('/');
}

const tooLong = { instanceOf: FsError, message: /exceed 1024 bytes/ };

test('an object name of exactly 1024 bytes is an entry; 1025 is ENAMETOOLONG', (t) => {
  const p = pathOf(MAX_KEY_BYTES);
  const loc = locate(bucket, p);
  t.is(loc.kind, 'entry');
  if (loc.kind === 'entry') t.is(Buffer.byteLength(loc.key), 1024);
  t.is(locate(bucket, pathOf(1023)).kind, 'entry');
  const err = t.throws(() => locate(bucket, pathOf(1025)), tooLong);
  t.is(err.code, 'name-too-long');
});

test('the 1024 bytes include the only-dir prefix, and multibyte characters count as bytes', (t) => {
  const only: Layout = { project: false, bucket: 'b', onlyDir: 'pre/' };
  const p = pathOf(1020);
  const loc = locate(only, p);
  t.is(loc.kind === 'entry' ? Buffer.byteLength(loc.key) : 0, 1024);
  t.throws(() => locate(only, pathOf(1021)), tooLong);
  // 'é' is two bytes: 127 of them (254 bytes) is one segment, and 4 such segments plus a tail reach 1024.
  const e = 'é'.repeat(127);
  const name = `/${e}/${e}/${e}/${e}/${'x'.repeat(4)}`;
  t.is(Buffer.byteLength(name.slice(1)), 1024);
  t.is(locate(bucket, name).kind, 'entry');
  t.throws(() => locate(bucket, name + 'x'), tooLong);
});

test('a segment over 255 bytes is ENAMETOOLONG; 255 is fine', (t) => {
  t.is(locate(bucket, `/${seg(255)}`).kind, 'entry');
  t.is(locate(bucket, `/${'é'.repeat(127)}`).kind, 'entry');
  const err = t.throws(() => locate(bucket, `/${seg(256)}`), { instanceOf: FsError });
  t.is(err.code, 'name-too-long');
  t.throws(() => locate(bucket, `/${'é'.repeat(128)}`), { instanceOf: FsError });
});

test('root, bucket and entry locations in both layouts', (t) => {
  t.deepEqual(locate(bucket, '/'), { kind: 'bucket', bucket: 'b' });
  t.deepEqual(locate(bucket, '/x//y/'), { kind: 'entry', bucket: 'b', key: 'x/y' });
  const project: Layout = { project: true, onlyDir: '' };
  t.deepEqual(locate(project, '/'), { kind: 'root' });
  t.deepEqual(locate(project, '/b1'), { kind: 'bucket', bucket: 'b1' });
  t.deepEqual(locate(project, '/b1/k'), { kind: 'entry', bucket: 'b1', key: 'k' });
});

test('a directory needs one byte more than a file: its marker key/', (t) => {
  const k1023 = 'k'.repeat(1023);
  const k1024 = 'k'.repeat(1024);
  t.true(canBeDir(k1023));
  t.is(markerKey(k1023), `${k1023}/`);
  t.false(canBeDir(k1024));
  const err = t.throws(() => markerKey(k1024), { instanceOf: FsError });
  t.is(err.code, 'name-too-long');
});

test('names a path component cannot hold are not shown', (t) => {
  const hidden = ['', '.', '..', 'a\u0000b', '\u0000', 'a/b', seg(256), 'é'.repeat(128)];
  for (const name of hidden) t.false(isShowableName(name), JSON.stringify(name));
  const shown = [
    'a',
    '...',
    '.hidden',
    seg(255),
    'tab\there',
    '\u0001ctrl',
    ' ',
    'caf\u00e9', // NFC
    'cafe\u0301', // NFD: a different name, shown as its own entry
  ];
  for (const name of shown) t.true(isShowableName(name), JSON.stringify(name));
});
