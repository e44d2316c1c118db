import test from 'ava';
import { ManualClock } from '../../common/clock.js';
import { ListingAhead, type ListingAheadOptions } from '../../cache/listing-ahead.js';
import type { ListPage } from '../../storage/types.js';

/** A tree of directories by prefix; fetches are recorded and resolve when the test releases them. */
function make(tree: Record<string, string[]>, o: Partial<ListingAheadOptions> = {}) {
  const clock = new ManualClock();
  const fetched: string[] = [];
  const waiting: (() => void)[] = [];
  let fail = false;
  const ahead = new ListingAhead({
    clock,
    window: 32,
    fetch: (_bucket, dir) => {
      fetched.push(dir);
      return new Promise<ListPage>((resolve, reject) => {
        waiting.push(() => (fail ? reject(new Error('down')) : resolve(page(tree, dir))));
      });
    },
    ...o,
  });
  /** Lets every fetch in flight answer, and those they start, until none is left. */
  const settle = async (): Promise<void> => {
    while (waiting.length > 0) {
      for (const release of waiting.splice(0)) release();
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    }
  };
  return { clock, ahead, fetched, settle, failing: () => (fail = true) };
}

const page = (tree: Record<string, string[]>, dir: string): ListPage => ({
  objects: [],
  prefixes: tree[dir] ?? [],
});

const TREE = {
  '': ['a/', 'b/', 'c/'],
  'a/': ['a/x/', 'a/y/'],
  'a/x/': [],
  'a/y/': [],
  'b/': ['b/z/'],
  'b/z/': [],
  'c/': [],
};

test('no walk: a listing alone, or of a directory its parent did not show, fetches nothing ahead', async (t) => {
  const { ahead, fetched, settle } = make(TREE);
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'elsewhere/', ['elsewhere/d/']);
  await settle();
  t.deepEqual(fetched, []);
});

test("a walk step fetches its own subdirectories first, then its parent's later ones, depth first", async (t) => {
  const { ahead, fetched, settle } = make(TREE, { concurrency: 1 });
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  await settle();
  // b/'s listing queues b/z/ above c/.
  t.deepEqual(fetched, ['a/x/', 'a/y/', 'b/', 'b/z/', 'c/']);
});

test('a listing fetched ahead answers one readdir, then the next one lists for itself', async (t) => {
  const { ahead, settle } = make(TREE);
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  await settle();
  t.deepEqual(await ahead.take('bkt', 'b/'), page(TREE, 'b/'));
  t.is(await ahead.take('bkt', 'b/'), undefined);
  t.is(await ahead.take('other', 'c/'), undefined); // per bucket
});

test('a readdir joins a fetch still in flight', async (t) => {
  const { ahead, settle } = make(TREE);
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  const taken = ahead.take('bkt', 'a/x/');
  await settle();
  t.deepEqual(await taken, page(TREE, 'a/x/'));
});

test('a listing older than holdMs answers nothing', async (t) => {
  const { clock, ahead, settle } = make(TREE, { holdMs: 1000 });
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  await settle();
  await clock.advance(1001);
  t.is(await ahead.take('bkt', 'b/'), undefined);
});

test("a parent's listing older than holdMs starts no walk", async (t) => {
  const { clock, ahead, fetched, settle } = make(TREE, { holdMs: 1000 });
  ahead.listed('bkt', '', TREE['']);
  await clock.advance(1001);
  ahead.listed('bkt', 'a/', TREE['a/']);
  await settle();
  t.deepEqual(fetched, []);
});

test('at most `window` listings are held or in flight: a walk that stops has cost that many', async (t) => {
  const root = ['a/', ...Array.from({ length: 50 }, (_, i) => `s${String(i).padStart(2, '0')}/`)];
  const wide: Record<string, string[]> = { '': root, 'a/': [] };
  const { ahead, fetched, settle } = make(wide, { window: 4 });
  ahead.listed('bkt', '', root);
  ahead.listed('bkt', 'a/', []);
  await settle();
  t.deepEqual(fetched, ['s00/', 's01/', 's02/', 's03/']);
  // The walk takes one: the next is fetched.
  t.truthy(await ahead.take('bkt', 's00/'));
  await settle();
  t.deepEqual(fetched, ['s00/', 's01/', 's02/', 's03/', 's04/']);
});

test('held listings the walk never took give their place up once too old', async (t) => {
  const root = ['a/', 's0/', 's1/', 's2/'];
  const wide: Record<string, string[]> = { '': root, 'a/': [] };
  const { clock, ahead, fetched, settle } = make(wide, { window: 2, holdMs: 1000 });
  ahead.listed('bkt', '', root);
  ahead.listed('bkt', 'a/', []);
  await settle();
  t.deepEqual(fetched, ['s0/', 's1/']);
  await clock.advance(1001);
  ahead.listed('bkt', '', root);
  ahead.listed('bkt', 'a/', []); // a new walk step: the stale ones are swept
  await settle();
  t.deepEqual(fetched, ['s0/', 's1/', 's0/', 's1/']);
});

test('drop: a mutation forgets the held listings that could show the name', async (t) => {
  const { ahead, settle } = make(TREE);
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  await settle();
  ahead.drop('bkt', ['', 'b/']);
  t.is(await ahead.take('bkt', 'b/'), undefined);
  t.truthy(await ahead.take('bkt', 'c/'));
  ahead.dropBucket('bkt');
  t.is(await ahead.take('bkt', 'a/x/'), undefined);
});

test('a failed fetch answers nothing: the readdir lists for itself', async (t) => {
  const { ahead, settle, failing } = make(TREE);
  failing();
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  const taken = ahead.take('bkt', 'a/x/');
  await settle();
  t.is(await taken, undefined);
});

test('a directory a readdir lists for itself, or the listing cache holds, is not fetched ahead', async (t) => {
  const { ahead, fetched, settle } = make(TREE, { known: (_b, dir) => dir === 'c/', concurrency: 1 });
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  ahead.listing('bkt', 'a/y/'); // queued, then listed by the walk before its turn
  await settle();
  t.deepEqual(fetched, ['a/x/', 'b/', 'b/z/']);
});

test('window 0: off', async (t) => {
  const { ahead, fetched, settle } = make(TREE, { window: 0 });
  t.false(ahead.enabled);
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  await settle();
  t.deepEqual(fetched, []);
});

test('peek: a marker lookup joins the held listing and leaves it for the readdir', async (t) => {
  const { ahead, settle } = make(TREE);
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  await settle();
  t.deepEqual(await ahead.peek('bkt', 'b/'), page(TREE, 'b/'));
  t.deepEqual(await ahead.take('bkt', 'b/'), page(TREE, 'b/'));
  t.is(await ahead.peek('bkt', 'b/'), undefined);
  t.is(await ahead.peek('bkt', 'nowhere/'), undefined);
});

test('peek of a directory still queued fetches it now, past the concurrency bound', async (t) => {
  const { ahead, fetched, settle } = make(TREE, { concurrency: 1 });
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']);
  t.deepEqual(fetched, ['a/x/']);
  const peeked = ahead.peek('bkt', 'c/');
  t.deepEqual(fetched, ['a/x/', 'c/']);
  await settle();
  t.deepEqual(await peeked, page(TREE, 'c/'));
  t.is(fetched.filter((d) => d === 'c/').length, 1);
});

test('directories behind the walk are not fetched: the queue follows where the readdirs are', async (t) => {
  const { ahead, fetched, settle } = make(TREE, { concurrency: 1, window: 2 });
  ahead.listed('bkt', '', TREE['']);
  ahead.listed('bkt', 'a/', TREE['a/']); // queues a/x/, a/y/, b/, c/; fetches a/x/
  ahead.listing('bkt', 'b/'); // the walk went on to b/ itself (a/y/ is behind it now)
  ahead.listed('bkt', 'b/', TREE['b/']);
  const taken = ahead.take('bkt', 'a/x/');
  await settle();
  t.truthy(await taken);
  t.false(fetched.includes('a/y/'), fetched.join(' '));
  t.true(fetched.includes('c/'), fetched.join(' '));
});
