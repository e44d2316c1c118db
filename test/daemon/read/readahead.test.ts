import test from 'ava';
import { MAX_READAHEAD_BLOCKS, nextWindow } from '../../../daemon/read/readahead.js';

test('sequential reads double the window up to the cap; a random read resets it', (t) => {
  const steps: number[] = [];
  let w = 0;
  for (let i = 0; i < 6; i++) steps.push((w = nextWindow(w, true)));
  t.deepEqual(steps, [1, 2, 4, 8, 8, 8]);
  t.is(steps.at(-1), MAX_READAHEAD_BLOCKS);
  t.is(nextWindow(8, false), 0);
});

test('the cap follows --read-ahead-size, and 0 turns read-ahead off', (t) => {
  t.is(nextWindow(2, true, 3), 3);
  t.is(nextWindow(16, true, 32), 32);
  t.is(nextWindow(4, true, 0), 0);
});
