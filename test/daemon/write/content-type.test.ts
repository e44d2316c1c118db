import test from 'ava';
import { contentTypeFor, UNTYPED } from '../../../daemon/write/content-type.js';

const cases: [key: string, explicit: string | undefined, previous: string | undefined, expected: string][] = [
  // from the extension, as gsutil and gcsfuse
  ['index.html', undefined, undefined, 'text/html'],
  ['site/css/main.css', undefined, undefined, 'text/css'],
  ['data/report.JSON', undefined, undefined, 'application/json'],
  ['img/photo.jpeg', undefined, undefined, 'image/jpeg'],
  ['notes.txt', undefined, undefined, 'text/plain'],
  ['backup.tar.gz', undefined, undefined, 'application/gzip'],
  ['doc.pdf', undefined, undefined, 'application/pdf'],
  // no extension, a hidden file's name, a trailing dot, an unknown extension: untyped
  ['README', undefined, undefined, UNTYPED],
  ['home/.bashrc', undefined, undefined, UNTYPED],
  ['odd.', undefined, undefined, UNTYPED],
  ['blob.zzzunknown', undefined, undefined, UNTYPED],
  ['dir.d/file', undefined, undefined, UNTYPED],
  // what the user set wins, even over a known extension and even when it is octet-stream
  ['index.html', 'text/plain; charset=utf-8', undefined, 'text/plain; charset=utf-8'],
  ['index.html', UNTYPED, 'text/html', UNTYPED],
  // an overwrite keeps the replaced generation's type, unless that one was untyped
  ['page.html', undefined, 'application/xhtml+xml', 'application/xhtml+xml'],
  ['page.html', undefined, UNTYPED, 'text/html'],
  ['page.html', '', '', 'text/html'],
];

for (const [key, explicit, previous, expected] of cases) {
  test(`contentTypeFor(${key}, ${explicit ?? '-'}, ${previous ?? '-'}) = ${expected}`, (t) => {
    t.is(contentTypeFor(key, explicit, previous), expected);
  });
}
