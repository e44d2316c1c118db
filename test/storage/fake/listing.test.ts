import test from 'ava';
import fc from 'fast-check';
import { listNames } from '../../../storage/fake/listing.js';
import { compareNames } from '../../../storage/fake/names.js';

/** The obvious, slow listing: every entry at once, in byte order. */
function naive(names: string[], prefix: string, delimiter: string | undefined): string[] {
  const entries = new Set<string>();
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const at = delimiter === undefined ? -1 : n.indexOf(delimiter, prefix.length);
    entries.add(at < 0 || delimiter === undefined ? n : n.slice(0, at + delimiter.length));
  }
  return [...entries].sort(compareNames);
}

function paginate(
  sorted: string[],
  prefix: string,
  delimiter: string | undefined,
  pageSize: number,
): string[] {
  const out: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const slice = listNames(sorted, {
      prefix,
      pageSize,
      ...(delimiter === undefined ? {} : { delimiter }),
      ...(after === undefined ? {} : { after }),
    });
    const page = [...slice.names, ...slice.prefixes].sort(compareNames);
    if (page.length > pageSize) throw new Error('page too large');
    out.push(...page);
    if (slice.resumeAfter === undefined) return out;
    after = slice.resumeAfter;
  }
  throw new Error('listing did not terminate');
}

const alphabet = fc.constantFrom('a', 'b', '/', '-', 'é', '\u{1F600}', '\uFF5E');
const nameArb = fc.array(alphabet, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));

test('property: paginated listing equals the naive listing, every entry once, in byte order', (t) => {
  fc.assert(
    fc.property(
      fc.uniqueArray(nameArb, { maxLength: 30 }),
      fc.array(alphabet, { maxLength: 2 }).map((cs) => cs.join('')),
      fc.option(fc.constantFrom('/', '-', 'a/', '\u{1F600}'), { nil: undefined }),
      fc.integer({ min: 1, max: 5 }),
      (names, prefix, delimiter, pageSize) => {
        const sorted = [...names].sort(compareNames);
        const expected = naive(sorted, prefix, delimiter);
        const got = paginate(sorted, prefix, delimiter, pageSize);
        return JSON.stringify(got) === JSON.stringify(expected);
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

test('resuming after a common prefix skips its whole group', (t) => {
  const sorted = ['a/1', 'a/2', 'a0', 'b'];
  const first = listNames(sorted, { prefix: '', delimiter: '/', pageSize: 1 });
  t.deepEqual(first, { names: [], prefixes: ['a/'], resumeAfter: 'a/' });
  const second = listNames(sorted, { prefix: '', delimiter: '/', pageSize: 5, after: 'a/' });
  t.deepEqual(second, { names: ['a0', 'b'], prefixes: [] });
  // A user's startAfter inside a group also skips the rest of that group (spec §3.5 step 1).
  t.deepEqual(listNames(sorted, { prefix: '', delimiter: '/', pageSize: 5, after: 'a/1' }).prefixes, []);
});
