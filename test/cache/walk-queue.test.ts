import test from 'ava';
import { WalkQueue } from '../../cache/walk-queue.js';
import { entryKey } from '../../cache/ttl-map.js';

const drain = (q: WalkQueue): string[] => {
  const out: string[] = [];
  for (let e = q.next(); e; e = q.next()) out.push(`${e.bucket}:${e.dir}`);
  return out;
};

test("directories come out in a walk's order: byte order of their prefixes, by bucket", (t) => {
  const q = new WalkQueue(100);
  for (const d of ['b/', 'a0/', 'a/x/', 'a/', 'a.b/', 'a-b/x/']) q.add('bkt', d, 0);
  q.add('abc', 'z/', 0);
  t.deepEqual(drain(q), ['abc:z/', 'bkt:a-b/x/', 'bkt:a.b/', 'bkt:a/', 'bkt:a/x/', 'bkt:a0/', 'bkt:b/']);
});

test('a directory queued again is one entry, with the later time', (t) => {
  const q = new WalkQueue(100);
  q.add('bkt', 'a/', 5);
  q.add('bkt', 'a/', 9);
  q.add('bkt', 'a/', 7);
  t.is(q.size, 1);
  t.deepEqual(q.next(), { bucket: 'bkt', dir: 'a/', at: 9, key: entryKey('bkt', 'a/') });
});

test('past its bound the last directories in walk order are forgotten; remove takes one out', (t) => {
  const q = new WalkQueue(3);
  for (const d of ['d/', 'a/', 'c/', 'b/']) q.add('bkt', d, 0);
  t.is(q.size, 3);
  t.is(q.remove('bkt', 'b/')?.dir, 'b/');
  t.is(q.remove('bkt', 'b/'), undefined);
  t.deepEqual(drain(q), ['bkt:a/', 'bkt:c/']);
});
