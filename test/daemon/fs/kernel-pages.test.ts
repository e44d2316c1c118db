import test from 'ava';
import { KernelPages } from '../../../daemon/fs/kernel-pages.js';
import { codeOf, harness, O_RDONLY, O_RDWR, O_TRUNC } from '../../helpers/fs-harness.js';

test('a second open of the same generation keeps the pages; a new generation does not', (t) => {
  const p = new KernelPages();
  t.false(p.open('b', 'k', '1'), 'the first open: the kernel holds nothing we know of');
  t.true(p.open('b', 'k', '1'));
  t.false(p.open('b', 'k', '2'), 'changed elsewhere');
  t.true(p.open('b', 'k', '2'));
  t.false(p.open('b', 'other', '2'), 'per path');
});

test('forget (a write through the mount) makes the next open drop the pages', (t) => {
  const p = new KernelPages();
  p.open('b', 'k', '1');
  p.forget('b', 'k');
  t.false(p.open('b', 'k', '1'));
});

test('the drop count changes whenever the pages are dropped, and only then', (t) => {
  const p = new KernelPages();
  p.open('b', 'k', '1');
  const first = p.drops('b', 'k');
  p.open('b', 'k', '1'); // kept
  t.is(p.drops('b', 'k'), first);
  p.forget('b', 'k');
  t.not(p.drops('b', 'k'), first);
  const afterWrite = p.drops('b', 'k');
  p.open('b', 'k', '2'); // a new generation: dropped again
  t.not(p.drops('b', 'k'), afterWrite);
});

test('bounded: the least recently opened path is forgotten first', (t) => {
  const p = new KernelPages(2);
  p.open('b', 'a', '1');
  p.open('b', 'c', '1');
  p.open('b', 'a', '1'); // a is now the most recent
  p.open('b', 'd', '1');
  t.is(p.size, 2);
  t.true(p.open('b', 'a', '1'));
  t.false(p.open('b', 'c', '1'));
});

// ---- through the Filesystem: what each open tells the kernel (FOPEN_KEEP_CACHE) ----

test('a reopen of the same generation lets the kernel keep its pages; a new generation or a write here does not', async (t) => {
  const h = await harness(t, { flags: ['--stat-cache-ttl', '0'] });
  await h.put('f', 'one');
  const open = async (flags = O_RDONLY): Promise<boolean> => {
    const fd = await h.fs.open('/f', flags);
    const keep = h.fs.keepsPages(fd);
    await h.fs.release(fd);
    return keep;
  };
  t.false(await open(), 'first open: nothing to keep');
  t.true(await open());
  await h.put('f', 'two');
  t.false(await open(), 'replaced elsewhere: the old pages are dropped');
  t.true(await open());
  t.false(await open(O_RDWR), 'a write handle never keeps pages');
  t.false(await open(), 'after a write open the pages may hold bytes the object does not have');
  t.true(await open());
});

test('a handle opened on kept pages that finds the object changed is ESTALE, never a mix of two generations', async (t) => {
  const h = await harness(t);
  await h.put('f', 'x'.repeat(3 << 20));
  await h.fs.release(await h.fs.open('/f', O_RDONLY));
  const fd = await h.fs.open('/f', O_RDONLY); // the kernel may answer from pages of the first generation
  t.true(h.fs.keepsPages(fd));
  await h.put('f', 'y'.repeat(3 << 20));
  t.is(await codeOf(t, h.fs.read(fd, Buffer.alloc(10), 10, (3 << 20) - 10)), 'stale');
  await h.fs.release(fd);
});

test('a handle on kept pages follows a rewrite made through this mount (its open dropped the pages), as on a local disk', async (t) => {
  const h = await harness(t);
  await h.put('f', 'old bytes');
  await h.fs.release(await h.fs.open('/f', O_RDONLY));
  const fd = await h.fs.open('/f', O_RDONLY);
  t.true(h.fs.keepsPages(fd));
  const w = await h.fs.open('/f', O_RDWR | O_TRUNC);
  t.false(h.fs.keepsPages(w));
  await h.write(w, 'new', 0);
  await h.fs.release(w);
  t.is(await h.readAll(fd), 'new');
  await h.fs.release(fd);
});
