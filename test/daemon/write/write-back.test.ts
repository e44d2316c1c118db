// The write-back helpers: when two uploads set the same metadata, and how an upload whose session
// carried older metadata gets the plan's (over the generation it made, never over someone else's).

import test from 'ava';
import { sameWritable } from '../../../daemon/write/write-back.js';

test('sameWritable: key order does not matter, a value does', (t) => {
  t.true(
    sameWritable(
      { contentType: 'a', metadata: { x: '1', y: '2' } },
      { metadata: { y: '2', x: '1' }, contentType: 'a' },
    ),
  );
  t.false(
    sameWritable({ contentType: 'a', metadata: { x: '1' } }, { contentType: 'a', metadata: { x: '2' } }),
  );
});
