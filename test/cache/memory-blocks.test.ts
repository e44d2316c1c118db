import test from 'ava';
import fc from 'fast-check';
import { ByteBudget } from '../../cache/budget.js';
import type { BlockKey } from '../../cache/block-key.js';
import { MemoryBlocks } from '../../cache/memory-blocks.js';

const key = (object: string, index: number, generation = '1', bucket = 'b'): BlockKey => ({
  bucket,
  object,
  generation,
  index,
});
const bytes = (n: number, fill = 1): Buffer => Buffer.alloc(n, fill);

test('get returns what set stored and counts hits and misses', (t) => {
  const mem = new MemoryBlocks({ maxBytes: 100 });
  t.is(mem.get(key('a', 0)), undefined);
  t.true(mem.set(key('a', 0), bytes(10, 7)));
  t.deepEqual(mem.get(key('a', 0)), bytes(10, 7));
  t.is(mem.get(key('a', 0, '2')), undefined, 'another generation is another block');
  t.is(mem.get(key('a', 1)), undefined);
  t.deepEqual(mem.stats(), { hits: 1, misses: 3, bytes: 10, blocks: 1, evictions: 0 });
});

test('the byte bound evicts the least recently used block', (t) => {
  const mem = new MemoryBlocks({ maxBytes: 30 });
  mem.set(key('a', 0), bytes(10));
  mem.set(key('a', 1), bytes(10));
  mem.set(key('a', 2), bytes(10));
  mem.get(key('a', 0));
  mem.set(key('a', 3), bytes(10));
  t.true(mem.has(key('a', 0)));
  t.false(mem.has(key('a', 1)));
  t.is(mem.stats().bytes, 30);
  t.is(mem.stats().evictions, 1);
});

test('blocks that cannot be kept are refused', (t) => {
  const mem = new MemoryBlocks({ maxBytes: 10 });
  t.false(mem.set(key('a', 0), bytes(11)));
  t.false(mem.set(key('a', 0), bytes(0)));
  const off = new MemoryBlocks({ maxBytes: 0 });
  t.false(off.set(key('a', 0), bytes(1)));
  t.is(off.get(key('a', 0)), undefined);
});

test('deleteObject removes every block of every generation of that object only', (t) => {
  const mem = new MemoryBlocks({ maxBytes: 1000 });
  mem.set(key('a', 0, '1'), bytes(10));
  mem.set(key('a', 1, '1'), bytes(10));
  mem.set(key('a', 0, '2'), bytes(10));
  mem.set(key('ab', 0), bytes(10));
  mem.set(key('a', 0, '1', 'other'), bytes(10));
  mem.deleteObject('b', 'a');
  t.false(mem.has(key('a', 0, '1')));
  t.false(mem.has(key('a', 1, '1')));
  t.false(mem.has(key('a', 0, '2')));
  t.true(mem.has(key('ab', 0)));
  t.true(mem.has(key('a', 0, '1', 'other')));
  t.is(mem.stats().bytes, 20);
  t.is(mem.stats().evictions, 0, 'invalidation is not eviction');
});

test('object names that look like key separators do not collide', (t) => {
  const mem = new MemoryBlocks({ maxBytes: 1000 });
  mem.set(key('x","1', 0, '2'), bytes(5, 1));
  t.is(mem.get(key('x', 0, '1","2')), undefined);
  mem.deleteObject('b', 'x');
  t.true(mem.has(key('x","1', 0, '2')));
});

test('stored blocks reserve from the shared budget and release on every way out', (t) => {
  const budget = new ByteBudget(1000);
  const mem = new MemoryBlocks({ maxBytes: 30, budget });
  mem.set(key('a', 0), bytes(10));
  mem.set(key('a', 1), bytes(10));
  t.is(budget.used, 20);
  mem.set(key('a', 1), bytes(10));
  t.is(budget.used, 20, 'storing the same block again reserves nothing');
  mem.set(key('a', 2), bytes(10));
  mem.set(key('a', 3), bytes(10)); // LRU bound evicts a/0
  t.is(budget.used, 30);
  mem.delete(key('a', 1));
  t.is(budget.used, 20);
  mem.deleteObject('b', 'a');
  t.is(budget.used, 0);
  mem.set(key('a', 0), bytes(10));
  mem.clear();
  t.is(budget.used, 0);
});

test('the budget evicts blocks when another holder needs room', (t) => {
  const budget = new ByteBudget(40);
  const mem = new MemoryBlocks({ maxBytes: 40, budget });
  for (let i = 0; i < 4; i++) mem.set(key('a', i), bytes(10));
  mem.get(key('a', 0));
  t.true(budget.tryReserve(15), 'a staged write takes room from the cache');
  t.is(budget.used, 35);
  t.true(mem.has(key('a', 0)), 'the recently used block survives');
  t.false(mem.has(key('a', 1)));
  t.false(mem.has(key('a', 2)));
  t.is(mem.stats().evictions, 2);
});

test('a block is refused when the budget is held by others', (t) => {
  const budget = new ByteBudget(20);
  const mem = new MemoryBlocks({ maxBytes: 100, budget });
  t.true(budget.tryReserve(15));
  t.false(mem.set(key('a', 0), bytes(10)));
  t.true(mem.set(key('a', 0), bytes(5)));
  t.is(budget.used, 20);
});

test('a view into a larger buffer is copied so it does not pin the larger one', (t) => {
  const mem = new MemoryBlocks({ maxBytes: 100 });
  const big = Buffer.alloc(64, 3);
  const view = big.subarray(8, 16);
  mem.set(key('a', 0), view);
  const got = mem.get(key('a', 0))!;
  t.deepEqual(got, view);
  t.is(got.buffer.byteLength, 8);
  big.fill(9);
  t.is(got[0], 3);
});

test('budget accounting matches held bytes under any sequence of operations', (t) => {
  type Op =
    | { op: 'set'; object: number; gen: number; index: number; size: number }
    | { op: 'get'; object: number; gen: number; index: number }
    | { op: 'delete'; object: number; gen: number; index: number }
    | { op: 'deleteObject'; object: number }
    | { op: 'hold'; bytes: number }
    | { op: 'unhold' }
    | { op: 'clear' };
  const small = { object: fc.nat(3), gen: fc.nat(2), index: fc.nat(3) };
  const ops = fc.array(
    fc.oneof(
      fc.record({ op: fc.constant('set' as const), ...small, size: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ op: fc.constant('get' as const), ...small }),
      fc.record({ op: fc.constant('delete' as const), ...small }),
      fc.record({ op: fc.constant('deleteObject' as const), object: fc.nat(3) }),
      fc.record({ op: fc.constant('hold' as const), bytes: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ op: fc.constant('unhold' as const) }),
      fc.record({ op: fc.constant('clear' as const) }),
    ),
    { maxLength: 60 },
  );
  fc.assert(
    fc.property(ops, (sequence: Op[]) => {
      const budget = new ByteBudget(100);
      const mem = new MemoryBlocks({ maxBytes: 80, budget });
      const held: number[] = [];
      for (const step of sequence) {
        switch (step.op) {
          case 'set':
            mem.set(key(`o${step.object}`, step.index, String(step.gen)), bytes(step.size));
            break;
          case 'get':
            mem.get(key(`o${step.object}`, step.index, String(step.gen)));
            break;
          case 'delete':
            mem.delete(key(`o${step.object}`, step.index, String(step.gen)));
            break;
          case 'deleteObject':
            mem.deleteObject('b', `o${step.object}`);
            break;
          case 'hold':
            if (budget.tryReserve(step.bytes)) held.push(step.bytes);
            break;
          case 'unhold': {
            const n = held.pop();
            if (n !== undefined) budget.release(n);
            break;
          }
          case 'clear':
            mem.clear();
            break;
        }
        const other = held.reduce((a, b) => a + b, 0);
        const stats = mem.stats();
        if (budget.used !== stats.bytes + other || stats.bytes > 80 || budget.used > 100) return false;
      }
      return true;
    }),
  );
  t.pass();
});

test('a block stored as parts is kept without copying and counted by its bytes, in the budget too', (t) => {
  const budget = new ByteBudget(1000);
  const mem = new MemoryBlocks({ maxBytes: 100, budget });
  const source = Buffer.from(Array.from({ length: 60 }, (_, i) => i));
  const parts = [source.subarray(0, 25), source.subarray(25, 60)];
  t.true(mem.set(key('a', 0), parts));
  const data = mem.getData(key('a', 0));
  t.true(Array.isArray(data));
  t.is((data as readonly Buffer[])[0]?.buffer, source.buffer, 'the parts are the caller’s buffers');
  t.true(mem.get(key('a', 0))?.equals(source));
  t.is(mem.stats().bytes, 60);
  t.is(budget.used, 60);
  t.true(mem.set(key('a', 1), [bytes(50)]));
  t.is(mem.getData(key('a', 0)), undefined, 'evicted by the byte bound');
  t.is(budget.used, 50);
});
