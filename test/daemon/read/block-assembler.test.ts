import test from 'ava';
import { ContentCache } from '../../../cache/content-cache.js';
import { MemoryBlocks } from '../../../cache/memory-blocks.js';
import { BlockAssembler } from '../../../daemon/read/block-assembler.js';
import { cachedBlock } from '../../helpers/cached-block.js';

const target = { bucket: 'bkt', key: 'k', generation: '7', size: 2500 };
const key = (index: number) => ({ bucket: 'bkt', object: 'k', generation: '7', index });

function bytes(from: number, to: number): Buffer {
  return Buffer.from(Array.from({ length: to - from }, (_, i) => (from + i) & 0xff));
}

test('whole blocks reach the cache whatever the chunking; the short last block too', (t) => {
  const cache = new ContentCache({ memory: new MemoryBlocks({ maxBytes: 1 << 20 }) });
  const a = new BlockAssembler(target, cache, 1000);
  for (const [from, to] of [
    [0, 300],
    [300, 1700],
    [1700, 2500],
  ] as const)
    a.add(from, bytes(from, to));
  t.is(cache.stats().memory.blocks, 3);
  return Promise.all([0, 1, 2].map((i) => cachedBlock(cache, key(i), i < 2 ? 1000 : 500))).then((blocks) => {
    t.deepEqual(blocks[0], bytes(0, 1000));
    t.deepEqual(blocks[1], bytes(1000, 2000));
    t.deepEqual(blocks[2], bytes(2000, 2500));
  });
});

test('a stream starting inside a block skips that block', async (t) => {
  const cache = new ContentCache({ memory: new MemoryBlocks({ maxBytes: 1 << 20 }) });
  const a = new BlockAssembler(target, cache, 1000);
  a.add(500, bytes(500, 1500));
  a.add(1500, bytes(1500, 2000));
  t.is(await cachedBlock(cache, key(0), 1000), undefined);
  t.deepEqual(await cachedBlock(cache, key(1), 1000), bytes(1000, 2000));
});
