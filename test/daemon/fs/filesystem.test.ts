// The filesystem core without a kernel: the defects found by trying the mount as a user would (empty
// files, unlink and a second descriptor of a file being written, ESTALE, a stale open), each as a
// regression test over the in-memory backend.

import test from 'ava';
import { codeOf, counted, harness, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../../helpers/fs-harness.js';

// ---- empty files (touch, : > f, truncate -s 0, O_TRUNC then close) ----

test('touch: create then close stores a 0-byte object, with no failed flush logged', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/empty', 0o644);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.is(await h.object('empty'), '');
  t.is((await h.fs.getattr('/empty')).size, 0);
  t.deepEqual(h.logs, []);
  t.deepEqual(await h.kept(), []);
});

test(': > f (O_TRUNC of an existing file, no write) stores 0 bytes and downloads nothing', async (t) => {
  const h = await harness(t);
  await h.put('f', 'old bytes');
  await h.fs.getattr('/f');
  h.requests.reset();
  const fd = await h.fs.open('/f', O_WRONLY | O_TRUNC);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.is(await h.object('f'), '');
  t.is(h.requests.counts().readObject, undefined);
});

test("a shell's > (O_TRUNC, then the close of a dup before any write) never uploads the emptied object early", async (t) => {
  const h = await harness(t);
  await h.put('f', 'good bytes');
  const fd = await h.fs.open('/f', O_WRONLY | O_TRUNC);
  await h.fs.flush(fd); // close(fd) after dup2(fd, 1)
  t.is(await h.object('f'), 'good bytes');
  t.is((await h.fs.getattr('/f')).size, 0);
  await h.write(fd, 'new', 0);
  await h.fs.flush(fd);
  t.is(await h.object('f'), 'new');
  await h.fs.release(fd);
  // With no write at all, the last close stores the empty file (`: > f`).
  const again = await h.fs.open('/f', O_WRONLY | O_TRUNC);
  await h.fs.flush(again);
  t.is(await h.object('f'), 'new');
  await h.fs.release(again);
  t.is(await h.object('f'), '');
});

test('truncate -s 0 of a file that is not open stores 0 bytes without reading it first', async (t) => {
  const h = await harness(t);
  await h.put('f', 'old bytes');
  await h.fs.getattr('/f');
  h.requests.reset();
  await h.fs.truncate('/f', 0);
  t.is(await h.object('f'), '');
  t.is(h.requests.counts().readObject, undefined);
  t.deepEqual(await h.kept(), []);
});

test('truncate to a shorter size reads only the bytes kept', async (t) => {
  const h = await harness(t);
  await h.put('f', '0123456789');
  await h.fs.truncate('/f', 4);
  t.is(await h.object('f'), '0123');
  await h.fs.truncate('/f', 6);
  t.is(await h.object('f'), '0123\0\0');
});

test('cp /dev/null f: create, flush twice (dup), release', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/null-copy', 0o600);
  await h.fs.flush(fd);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.is(await h.object('null-copy'), '');
  t.is((await h.fs.getattr('/null-copy')).mode & 0o777, 0o600);
});

// ---- unlink of an open file ----

test('unlink of a file being written: gone from stat and ls at once, the descriptor still works, nothing uploaded', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/tmpfile', 0o644);
  await h.write(fd, 'scratch', 0);
  await h.fs.unlink('/tmpfile');
  t.is(await codeOf(t, h.fs.getattr('/tmpfile')), 'not-found');
  t.false((await h.fs.readdir('/')).some((e) => e.name === 'tmpfile'));
  t.is(await h.write(fd, ' more', 7), 5);
  t.is(await h.readAll(fd), 'scratch more');
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.is(await h.object('tmpfile'), undefined);
  t.deepEqual(await h.kept(), []);
  t.deepEqual(h.logs, []);
});

test('unlink of an existing file open for writing deletes the object now and uploads nothing at close', async (t) => {
  const h = await harness(t);
  await h.put('log', 'line 1\n');
  const fd = await h.fs.open('/log', O_WRONLY);
  await h.write(fd, 'line 2\n', 7);
  await h.fs.unlink('/log');
  t.is(await h.object('log'), undefined);
  t.is(await codeOf(t, h.fs.getattr('/log')), 'not-found');
  await h.fs.release(fd);
  t.is(await h.object('log'), undefined);
  // The name is free again: a new file there is a new object.
  const again = await h.fs.create('/log', 0o644);
  await h.write(again, 'new', 0);
  await h.fs.release(again);
  t.is(await h.object('log'), 'new');
});

// ---- a second descriptor ----

test('a second descriptor of a new file being written reads the written bytes; getattr agrees', async (t) => {
  const h = await harness(t);
  const w = await h.fs.create('/new', 0o644);
  await h.write(w, 'hello', 0);
  const r = await h.fs.open('/new', O_RDONLY);
  t.is(await h.readAll(r), 'hello');
  t.is((await h.fs.getattr('/new')).size, 5);
  await h.fs.release(r);
  await h.fs.release(w);
  t.is(await h.object('new'), 'hello');
});

test("a reader of an existing file sees a writer's bytes, whether it opened before or after the write", async (t) => {
  const h = await harness(t);
  await h.put('f', 'old');
  const early = await h.fs.open('/f', O_RDONLY);
  const w = await h.fs.open('/f', O_RDWR);
  await h.write(w, 'newer', 0);
  const late = await h.fs.open('/f', O_RDONLY);
  t.is((await h.fs.getattr('/f')).size, 5);
  t.is(await h.readAll(early), 'newer');
  t.is(await h.readAll(late), 'newer');
  t.is(await h.readAll(w), 'newer');
  await h.fs.release(w);
  t.is(await h.object('f'), 'newer');
  t.is(await h.readAll(early), 'newer');
  await h.fs.release(early);
  await h.fs.release(late);
});

test('two write descriptors share one pending object: one upload holds both writes', async (t) => {
  const h = await harness(t);
  const a = await h.fs.create('/shared', 0o644);
  const b = await h.fs.open('/shared', O_WRONLY);
  await h.write(a, 'aaaa', 0);
  await h.write(b, 'bb', 4);
  await h.fs.release(a);
  t.is(await h.object('shared'), 'aaaabb');
  await h.write(b, 'BB', 4);
  await h.fs.release(b);
  t.is(await h.object('shared'), 'aaaaBB');
  t.deepEqual(await h.kept(), []);
});

// ---- ESTALE, not ENOENT ----

test('a first write to a file replaced elsewhere since open fails with ESTALE', async (t) => {
  const h = await harness(t);
  await h.put('f', 'original');
  const fd = await h.fs.open('/f', O_WRONLY);
  await h.put('f', 'theirs');
  t.is(await codeOf(t, h.write(fd, 'mine', 0)), 'stale');
  await h.fs.release(fd);
  t.is(await h.object('f'), 'theirs');
});

test('an upload over a file changed elsewhere fails with ESTALE, keeps the bytes with a conflict record', async (t) => {
  const h = await harness(t);
  await h.put('f', 'original');
  const fd = await h.fs.open('/f', O_WRONLY | O_TRUNC);
  await h.write(fd, 'mine', 0);
  await h.put('f', 'theirs');
  t.is(await codeOf(t, h.fs.flush(fd)), 'stale');
  await h.fs.release(fd);
  t.is(await h.object('f'), 'theirs');
  const kept = await h.kept();
  t.is(kept.length, 1);
  t.like(kept[0], { bucket: 'bkt', object: 'f', size: 4, reason: 'conflict' });
});

test('a fresh open after a remote change reads the new bytes instead of failing (stat cached)', async (t) => {
  const h = await harness(t);
  await h.put('f', 'version one');
  t.is((await h.fs.getattr('/f')).size, 11); // now cached
  await h.put('f', 'version two!');
  const fd = await h.fs.open('/f', O_RDONLY);
  t.is(await h.readAll(fd), 'version two!');
  await h.fs.release(fd);
});

test('a fresh open after a remote delete reads ENOENT, not ESTALE', async (t) => {
  const h = await harness(t);
  await h.put('f', 'here');
  await h.fs.getattr('/f');
  await h.memory.deleteObject('bkt', 'f');
  const fd = await h.fs.open('/f', O_RDONLY);
  t.is(await codeOf(t, h.fs.read(fd, Buffer.alloc(10), 10, 0)), 'not-found');
  await h.fs.release(fd);
});

test('a change after the first read is ESTALE (the descriptor already saw the old bytes)', async (t) => {
  const h = await harness(t);
  await h.put('f', 'x'.repeat(3 << 20));
  const fd = await h.fs.open('/f', O_RDONLY);
  t.is(await h.fs.read(fd, Buffer.alloc(10), 10, 0), 10);
  await h.put('f', 'y'.repeat(3 << 20));
  t.is(await codeOf(t, h.fs.read(fd, Buffer.alloc(10), 10, (3 << 20) - 10)), 'stale');
  await h.fs.release(fd);
});

// ---- deletes are conditioned on the generation looked up ----

test('rm never deletes a newer object someone else just wrote (ESTALE), and deletes the one it saw', async (t) => {
  const h = await harness(t);
  await h.put('f', 'seen');
  await h.fs.getattr('/f'); // cached: generation 1
  await h.put('f', 'newer, from elsewhere');
  t.is(await codeOf(t, h.fs.unlink('/f')), 'stale');
  t.is(await h.object('f'), 'newer, from elsewhere');
  await h.fs.unlink('/f'); // looked up again after the conflict
  t.is(await h.object('f'), undefined);
});

test('rmdir deletes the marker it looked up', async (t) => {
  const h = await harness(t);
  await h.fs.mkdir('/d', 0o755);
  await h.fs.rmdir('/d');
  t.is(await h.object('d/'), undefined);
  t.is(await codeOf(t, h.fs.getattr('/d')), 'not-found');
});

// ---- request counts of the common paths (the speed work lowers these; a rise fails here) ----

test('requests: stat of a file (cold, then warm), of a missing name, of directories', async (t) => {
  const h = await harness(t);
  await h.put('f', 'abc');
  await h.put('implicit/x', 'x');
  await h.put('marked/', '');
  t.deepEqual(await counted(h, () => h.fs.getattr('/f')), { statObject: 1, listPage: 1 });
  t.deepEqual(await counted(h, () => h.fs.getattr('/f')), {});
  // A missing name: HEAD + one-entry LIST, and no HEAD of the bucket (checked when the mount started).
  t.deepEqual(await counted(h, () => t.throwsAsync(h.fs.getattr('/missing'))), {
    statObject: 1,
    listPage: 1,
  });
  t.deepEqual(await counted(h, () => t.throwsAsync(h.fs.getattr('/implicit/missing'))), {
    statObject: 1,
    listPage: 1,
  });
  // touch of a new name: the lookup that fails, then the create's upload; nothing about the parent.
  t.deepEqual(
    await counted(h, async () => {
      await t.throwsAsync(h.fs.getattr('/implicit/new'));
      await h.fs.release(await h.fs.create('/implicit/new', 0o644));
    }),
    { statObject: 1, listPage: 1, writeObject: 1 },
  );
  // The create told the type cache its parent is a directory: only the HEAD of a marker (none here).
  t.deepEqual(await counted(h, () => h.fs.getattr('/implicit')), { statObject: 1 });
  // A marker directory: its probe, then a HEAD of the marker for the mode and owner stored on it.
  t.deepEqual(await counted(h, () => h.fs.getattr('/marked')), { statObject: 2, listPage: 1 });
});

test('requests: create + write + close is one upload; cat of a small file one GET', async (t) => {
  const h = await harness(t);
  t.deepEqual(
    await counted(h, async () => {
      const fd = await h.fs.create('/new', 0o644);
      await h.write(fd, 'hi', 0);
      await h.fs.flush(fd);
      await h.fs.release(fd);
    }),
    { writeObject: 1 },
  );
  t.deepEqual(
    await counted(h, async () => {
      const fd = await h.fs.open('/new', O_RDONLY);
      t.is(await h.readAll(fd), 'hi');
      await h.fs.release(fd);
    }),
    { readObject: 1 },
  );
});

test('a directory removed or renamed here is forgotten at once, with what was under it', async (t) => {
  const h = await harness(t);
  await h.put('p/q/r/x', 'x');
  await h.fs.readdir('/p/q');
  await h.fs.getattr('/p/q/r');
  await h.fs.rename('/p/q', '/p/z');
  t.is(await codeOf(t, h.fs.getattr('/p/q/r')), 'not-found');
  t.is((await h.fs.getattr('/p/z/r')).nlink, 2);
  await h.fs.unlink('/p/z/r/x');
  await h.fs.rmdir('/p/z/r');
  t.is(await codeOf(t, h.fs.getattr('/p/z/r')), 'not-found');
});

test('requests: rm and mv of a file', async (t) => {
  const h = await harness(t);
  await h.put('a', 'x');
  await h.put('d/b', 'y');
  await h.fs.getattr('/a');
  t.deepEqual(await counted(h, () => h.fs.rename('/a', '/c')), {
    statObject: 1, // the new name (absent)
    listPage: 1, // the new name's directory probe
    copyObject: 1,
    deleteObject: 1,
  });
  t.deepEqual(await counted(h, () => h.fs.unlink('/c')), { listPage: 1, deleteObject: 1 });
  // The last file of an implicit directory: a marker keeps the directory.
  t.deepEqual(await counted(h, () => h.fs.unlink('/d/b')), {
    statObject: 1,
    listPage: 2,
    deleteObject: 1,
    writeObject: 1,
  });
  t.is(await h.object('d/'), '');
});

test('uploads are typed by extension; an overwrite keeps the type it replaces', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/index.html', 0o644);
  await h.write(fd, '<p>hi</p>', 0);
  await h.fs.release(fd);
  t.is((await h.memory.statObject('bkt', 'index.html')).contentType, 'text/html');
  await h.memory.writeObject('bkt', 'data.html', Buffer.from('x'), { contentType: 'text/plain' });
  const w = await h.fs.open('/data.html', O_WRONLY | O_TRUNC);
  await h.write(w, 'y', 0);
  await h.fs.release(w);
  t.is((await h.memory.statObject('bkt', 'data.html')).contentType, 'text/plain');
});

test("cp -p's order (create 0600, write, utimens, a system.* xattr, fchmod, close) keeps the mode and the time", async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/pw', 0o600);
  await h.write(fd, 'root:x', 0);
  await h.fs.utimens('/pw', 1_000_000, 2_000_000);
  await t.throwsAsync(h.fs.setxattr('/pw', 'system.posix_acl_access', Buffer.from('x')));
  await h.fs.chmod('/pw', 0o644);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  const a = await h.fs.getattr('/pw');
  t.is(a.mode & 0o7777, 0o644);
  t.is(a.mtime.getTime(), 2_000_000);
  t.is(h.requests.counts().writeObject, 1);
});

test('chmod after an upload of a file still open is not undone by the mode it was created with', async (t) => {
  const h = await harness(t);
  const fd = await h.fs.create('/f', 0o600);
  await h.write(fd, 'x', 0);
  await h.fs.fsync(fd);
  await h.fs.chmod('/f', 0o644);
  t.is((await h.fs.getattr('/f')).mode & 0o7777, 0o644);
  await h.fs.release(fd);
  t.is((await h.fs.getattr('/f')).mode & 0o7777, 0o644);
});
