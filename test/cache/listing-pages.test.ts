import test from 'ava';
import { MAX_PAGE_SIZE, directoryOf, pagesOf } from '../../cache/listing-pages.js';
import type { ListedObject } from '../../storage/types.js';
import { listedObject } from '../helpers/object-meta.js';

const obj = (name: string): ListedObject => listedObject(name, { size: 0 });

const directoryCases: [options: Parameters<typeof directoryOf>[0], dir: string | undefined][] = [
  [{ delimiter: '/' }, ''],
  [{ delimiter: '/', prefix: 'a/' }, 'a/'],
  [{ delimiter: '/', prefix: 'a/', pageSize: 5 }, 'a/'],
  [{ delimiter: '/', prefix: 'a' }, undefined],
  [{ prefix: 'a/' }, undefined],
  [{ delimiter: '|', prefix: 'a/' }, undefined],
  [{ delimiter: '/', prefix: 'a/', startAfter: 'a/b' }, undefined],
];
for (const [options, dir] of directoryCases) {
  test(`directoryOf(${JSON.stringify(options)}) = ${String(dir)}`, (t) => {
    t.is(directoryOf(options), dir);
  });
}

test('pagesOf merges objects and prefixes in byte order and cuts pages', (t) => {
  const pages = [...pagesOf({ objects: [obj('b'), obj('é'), obj('a')], prefixes: ['c/', 'Z/'] }, 2)];
  t.deepEqual(
    pages.map((p) => [p.objects.map((o) => o.name), p.prefixes, p.nextPageToken]),
    [
      [['a'], ['Z/'], 'a'],
      [['b'], ['c/'], 'c/'],
      [['é'], [], undefined],
    ],
  );
});

test('pagesOf yields one empty page for an empty listing and caps the page size', (t) => {
  t.deepEqual([...pagesOf({ objects: [], prefixes: [] }, 10)], [{ objects: [], prefixes: [] }]);
  const many = Array.from({ length: MAX_PAGE_SIZE + 1 }, (_, i) => obj(`o${String(i).padStart(5, '0')}`));
  const pages = [...pagesOf({ objects: many, prefixes: [] }, 5000)];
  t.deepEqual(
    pages.map((p) => p.objects.length),
    [MAX_PAGE_SIZE, 1],
  );
});
