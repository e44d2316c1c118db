import test from 'ava';
import fc from 'fast-check';
import { compareNames, lowerBound } from '../../../emulator/store/name-order.js';

test('compareNames orders strings exactly as their UTF-8 bytes', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
      const bytes = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      return Math.sign(compareNames(a, b)) === bytes;
    }),
    { numRuns: 2000 },
  );
  t.true(compareNames('\uffee', '😀') < 0);
  t.true(compareNames('z', '\u00e9') < 0);
});

test('lowerBound finds the first element >= (or > with after) the probe', (t) => {
  const sorted = ['a', 'b', 'b/1', 'c'];
  t.is(lowerBound(sorted, 'b'), 1);
  t.is(lowerBound(sorted, 'b', true), 2);
  t.is(lowerBound(sorted, ''), 0);
  t.is(lowerBound(sorted, 'zz'), 4);
});
