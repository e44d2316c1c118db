// rename(2) of files open here: the pending entry follows the new name (a log writer kept open across a
// rename, an editor's save), and read descriptors read the copy.

import test from 'ava';
import { codeOf, harness, O_RDONLY, O_WRONLY } from '../../helpers/fs-harness.js';

test('a new file renamed while open: later writes and the close land under the new name', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/a.tmp', 0o644);
  await h.write(fd, 'first ', 0);
  await h.fs.rename('/a.tmp', '/a.txt');
  await h.write(fd, 'second', 6);
  t.is((await h.fs.getattr('/a.txt')).size, 12);
  t.is(await codeOf(t, h.fs.getattr('/a.tmp')), 'not-found');
  await h.fs.release(fd);
  t.is(await h.object('a.txt'), 'first second');
  t.is(await h.object('a.tmp'), undefined);
  t.deepEqual(await h.kept(), []);
  t.deepEqual(h.logs, []);
});

test('a log writer kept open across a rename of an existing file (logrotate)', async (t) => {
  const h = await harness(t);
  await h.put('app.log', 'old line\n');
  const fd = await h.fs.open('/app.log', O_WRONLY);
  await h.write(fd, 'line 2\n', 9);
  await h.fs.rename('/app.log', '/app.log.1');
  await h.write(fd, 'line 3\n', 16);
  await h.fs.release(fd);
  t.is(await h.object('app.log.1'), 'old line\nline 2\nline 3\n');
  t.is(await h.object('app.log'), undefined);
  t.deepEqual(await h.kept(), []);
});

test('an uploaded file renamed while still open keeps taking writes under the new name', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/x', 0o644);
  await h.write(fd, 'one', 0);
  await h.fs.fsync(fd);
  t.is(await h.object('x'), 'one');
  await h.fs.rename('/x', '/y');
  t.is(await h.object('y'), 'one');
  await h.write(fd, 'two', 3);
  await h.fs.release(fd);
  t.is(await h.object('y'), 'onetwo');
  t.is(await h.object('x'), undefined);
});

test("an editor's save: write a temp file, close, rename over the original", async (t) => {
  const h = await harness(t);
  await h.put('doc.txt', 'draft');
  const reader = await h.fs.open('/doc.txt', O_RDONLY);
  const tmp = await h.fs.create('/.doc.txt.swp', 0o644);
  await h.write(tmp, 'final', 0);
  await h.fs.release(tmp);
  await h.fs.rename('/.doc.txt.swp', '/doc.txt');
  t.is(await h.object('doc.txt'), 'final');
  t.is(await h.object('.doc.txt.swp'), undefined);
  t.is((await h.fs.getattr('/doc.txt')).size, 5);
  await h.fs.release(reader);
});

test('a rename over a file open for writing: that descriptor writes to nothing, the rename wins', async (t) => {
  const h = await harness(t);
  await h.put('target', 'old target');
  const victim = await h.fs.open('/target', O_WRONLY);
  await h.write(victim, 'lost', 0);
  const src = await h.fs.create('/src', 0o644);
  await h.write(src, 'winner', 0);
  await h.fs.release(src);
  await h.fs.rename('/src', '/target');
  await h.fs.release(victim);
  t.is(await h.object('target'), 'winner');
  t.deepEqual(await h.kept(), []);
});

test('a read descriptor follows a rename of its file', async (t) => {
  const h = await harness(t);
  await h.put('r', 'readable');
  const fd = await h.fs.open('/r', O_RDONLY);
  await h.fs.rename('/r', '/s');
  t.is(await h.readAll(fd), 'readable');
  await h.fs.release(fd);
});

test('a directory renamed with a file open inside: the file lands under the new directory', async (t) => {
  const h = await harness(t);
  await h.fs.mkdir('/dir', 0o755);
  await h.put('dir/old', 'kept');
  const fd = await h.fs.create('/dir/open', 0o644);
  await h.write(fd, 'pending', 0);
  await h.fs.rename('/dir', '/moved');
  await h.write(fd, '!', 7);
  await h.fs.release(fd);
  t.is(await h.object('moved/open'), 'pending!');
  t.is(await h.object('moved/old'), 'kept');
  t.is(await h.object('dir/open'), undefined);
  t.is(await h.object('dir/old'), undefined);
});
