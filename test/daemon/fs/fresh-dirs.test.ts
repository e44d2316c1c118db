// Directories made by this mount: a lookup of a name the mount never put there costs no request, and
// everything the mount does put there (create, symlink, mkdir, rename into it) is looked up as usual.
import test from 'ava';
import { ManualClock } from '../../../common/clock.js';
import { FreshDirs, MAX_TOUCHED } from '../../../daemon/fs/fresh-dirs.js';
import { codeOf, counted, harness } from '../../helpers/fs-harness.js';

test('FreshDirs: untouched names are absent; touched ones, other directories and forgotten trees are not known', (t) => {
  const f = new FreshDirs({ ttlMs: 1000, maxEntries: 10, clock: new ManualClock() });
  f.created('b', 'd');
  t.true(f.knownAbsent('b', 'd/x'));
  t.false(f.knownAbsent('b', 'd'));
  t.false(f.knownAbsent('b', 'e/x'));
  t.false(f.knownAbsent('other', 'd/x'));
  f.touch('b', 'd/x');
  t.false(f.knownAbsent('b', 'd/x'));
  t.true(f.knownAbsent('b', 'd/y'));
  f.created('b', 'd/sub');
  f.forgetTree('b', 'd');
  t.false(f.knownAbsent('b', 'd/y'));
  t.false(f.knownAbsent('b', 'd/sub/z'));
});

test('FreshDirs: past MAX_TOUCHED names a directory is no longer trusted', (t) => {
  const f = new FreshDirs({ ttlMs: -1, maxEntries: 10, clock: new ManualClock() });
  f.created('b', 'd');
  for (let i = 0; i <= MAX_TOUCHED; i++) f.touch('b', `d/f${i}`);
  t.false(f.knownAbsent('b', 'd/never'));
});

test('requests: cp -r into a new directory: each missing name costs nothing, the parent lookup nothing', async (t) => {
  const h = await harness(t);
  await h.fs.mkdir('/new', 0o755);
  t.deepEqual(await counted(h, () => h.fs.getattr('/new')), {});
  t.deepEqual(await counted(h, () => codeOf(t, h.fs.getattr('/new/f0'))), {});
  t.is(await codeOf(t, h.fs.getattr('/new/f0')), 'not-found');
  // Created here: found, during and after its upload.
  const fd = await h.fs.create('/new/f0', 0o644);
  await h.write(fd, 'abc', 0);
  t.is((await h.fs.getattr('/new/f0')).size, 3);
  await h.fs.release(fd);
  t.is(await h.object('new/f0'), 'abc');
  t.is((await h.fs.getattr('/new/f0')).size, 3);
  t.is((await h.fs.getattr('/new')).nlink, 2);
  // Symlinks, directories and renames into it are found as well.
  await h.fs.symlink('f0', '/new/ln');
  t.is(await h.fs.readlink('/new/ln'), 'f0');
  await h.fs.mkdir('/new/sub', 0o700);
  t.is((await h.fs.getattr('/new/sub')).mode & 0o777, 0o700);
  await h.put('elsewhere', 'x');
  await h.fs.rename('/elsewhere', '/new/moved');
  t.is((await h.fs.getattr('/new/moved')).size, 1);
  // A new file in a directory made below the first: no request for its missing name either.
  t.deepEqual(await counted(h, () => codeOf(t, h.fs.getattr('/new/sub/x'))), {});
});

test('a file another client puts into a directory made here shows after the type-cache TTL', async (t) => {
  const clock = new ManualClock();
  const h = await harness(t, { clock, flags: ['--type-cache-ttl', '10s'] });
  await h.fs.mkdir('/new', 0o755);
  await h.put('new/theirs', 'x');
  t.is(await codeOf(t, h.fs.getattr('/new/theirs')), 'not-found');
  await clock.advance(10_000);
  t.is((await h.fs.getattr('/new/theirs')).size, 1);
});

test('a directory removed and made again starts empty; one renamed away is not trusted at its new name', async (t) => {
  const h = await harness(t);
  await h.fs.mkdir('/d', 0o755);
  const fd = await h.fs.create('/d/f', 0o644);
  await h.fs.release(fd);
  await h.fs.rename('/d', '/e');
  await h.put('e/theirs', 'x');
  t.is((await h.fs.getattr('/e/theirs')).size, 1);
  t.is((await h.fs.getattr('/e/f')).size, 0);
  await h.fs.unlink('/e/f');
  await h.fs.unlink('/e/theirs');
  await h.fs.rmdir('/e');
  await h.fs.mkdir('/e', 0o755);
  t.deepEqual(await counted(h, () => codeOf(t, h.fs.getattr('/e/f'))), {});
});

test('without implicit directories a directory made here is not known empty: lookups ask', async (t) => {
  const h = await harness(t, { flags: ['--no-implicit-dirs'] });
  await h.put('hidden/obj', 'x'); // invisible without implicit dirs, so mkdir succeeds over it
  await h.fs.mkdir('/hidden', 0o755);
  t.is((await h.fs.getattr('/hidden/obj')).size, 1);
});

test('with the type cache off nothing is trusted', async (t) => {
  const h = await harness(t, { flags: ['--type-cache-ttl', '0'] });
  await h.fs.mkdir('/new', 0o755);
  t.not(Object.keys(await counted(h, () => codeOf(t, h.fs.getattr('/new/x')))).length, 0);
});
