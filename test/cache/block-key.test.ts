import test from 'ava';
import { ObjectIndex, blockId, objectId } from '../../cache/block-key.js';

test('block ids differ in every component and cannot be forged by names', (t) => {
  const base = { bucket: 'b', object: 'o', generation: '1', index: 0 };
  const ids = new Set([
    blockId(base),
    blockId({ ...base, bucket: 'c' }),
    blockId({ ...base, object: 'p' }),
    blockId({ ...base, generation: '2' }),
    blockId({ ...base, index: 1 }),
    blockId({ ...base, bucket: 'b","o', object: '' }),
  ]);
  t.is(ids.size, 6);
  t.is(blockId({ ...base }), blockId(base));
  t.not(objectId('a', 'b/c'), objectId('a/b', 'c'));
});

test('the object index tracks blocks per object and forgets empty objects', (t) => {
  const index = new ObjectIndex();
  index.add('o1', 'x');
  index.add('o1', 'y');
  index.add('o2', 'z');
  t.deepEqual(index.blocksOf('o1').sort(), ['x', 'y']);
  index.remove('o1', 'x');
  index.remove('o1', 'y');
  index.remove('nope', 'y');
  t.deepEqual(index.blocksOf('o1'), []);
  t.is(index.objects, 1);
  index.clear();
  t.is(index.objects, 0);
});
