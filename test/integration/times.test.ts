// File times on a real mount, set by real tools (docs/SEMANTICS.md, "Times"): the mtime is stored in
// whole seconds under the gsutil key, the atime is not stored, an omitted time (UTIME_OMIT: touch -m,
// touch -a, tar x) leaves the stored mtime alone. These pass only with the patched fuse-native
// (patches/), which hands over the real mtime and honours UTIME_OMIT. Also: special files (mknod).
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mount, type TestMount } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

/** The mtime stat shows through the mount, in seconds. */
const mtimeOf = async (file: string): Promise<number> => Number(await runOk('stat', ['-c', '%Y', file]));

/** The mtime stored in the object's metadata (the gsutil key), as another client sees it. */
async function storedMtime(m: TestMount, key: string): Promise<string | null> {
  const res = await m.emu.call(`/test-bucket/${key}`, { method: 'HEAD' });
  return res.headers.get('x-goog-meta-goog-reserved-file-mtime');
}

async function localDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-times-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A local file whose atime and mtime differ, so a binding that mixes them up is caught. */
async function fileWithTimes(dir: string, atime: number, mtime: number): Promise<string> {
  const f = path.join(dir, 'src.txt');
  await runOk('sh', ['-c', `printf 'some bytes' > ${f}`]);
  await runOk('touch', ['-m', '-d', `@${mtime}`, f]);
  await runOk('touch', ['-a', '-d', `@${atime}`, f]);
  return f;
}

test('cp -p keeps the mtime, not the atime', async (t) => {
  const m = await mount(t);
  const src = await fileWithTimes(await localDir(t), 1_300_000_000, 981_173_106);
  await runOk('cp', ['-p', src, m.at('copied.txt')]);
  t.is(await mtimeOf(m.at('copied.txt')), 981_173_106);
  t.is(await storedMtime(m, 'copied.txt'), '981173106');
});

test('touch -r copies the reference file mtime', async (t) => {
  const m = await mount(t);
  const ref = await fileWithTimes(await localDir(t), 1_300_000_000, 12_345);
  await runOk('sh', ['-c', `printf x > ${m.at('f.txt')}`]);
  await runOk('touch', ['-r', ref, m.at('f.txt')]);
  t.is(await mtimeOf(m.at('f.txt')), 12_345);
  t.is(await storedMtime(m, 'f.txt'), '12345');
});

test('touch -m sets the mtime; touch -a (mtime omitted) leaves it and sends no update', async (t) => {
  const m = await mount(t);
  const f = m.at('f.txt');
  await runOk('sh', ['-c', `printf x > ${f}`]);
  await runOk('touch', ['-m', '-d', '@1000000000', f]);
  t.is(await mtimeOf(f), 1_000_000_000);
  const before = await m.emu.call('/test-bucket/f.txt', { method: 'HEAD' });
  await runOk('touch', ['-a', '-d', '@5', f]);
  t.is(await mtimeOf(f), 1_000_000_000);
  const after = await m.emu.call('/test-bucket/f.txt', { method: 'HEAD' });
  t.is(after.headers.get('x-goog-meta-goog-reserved-file-mtime'), '1000000000');
  t.is(after.headers.get('x-goog-metageneration'), before.headers.get('x-goog-metageneration'));
});

test('touch with no time sets the mtime to now (UTIME_NOW)', async (t) => {
  const m = await mount(t);
  const f = m.at('f.txt');
  await runOk('sh', ['-c', `printf x > ${f}`]);
  await runOk('touch', ['-m', '-d', '@1000000000', f]);
  const before = Math.floor(Date.now() / 1000);
  await runOk('touch', [f]);
  t.true((await mtimeOf(f)) >= before);
});

test('python os.utime(f, (atime, mtime)) stores the mtime in whole seconds', async (t) => {
  const m = await mount(t);
  const f = m.at('f.txt');
  await runOk('sh', ['-c', `printf x > ${f}`]);
  await runOk('python3', ['-c', 'import os, sys; os.utime(sys.argv[1], (7, 123456789.75))', f]);
  t.is(await mtimeOf(f), 123_456_789);
  t.is(await storedMtime(m, 'f.txt'), '123456789');
});

test('tar x keeps the archived mtimes (its atime is UTIME_OMIT)', async (t) => {
  const m = await mount(t);
  const dir = await localDir(t);
  await runOk('sh', [
    '-c',
    `cd ${dir} && mkdir -p tree/sub && printf a > tree/a.txt && printf b > tree/sub/b.txt` +
      ` && touch -d @946684800 tree/a.txt && touch -d @978307200 tree/sub/b.txt` +
      ` && tar -C tree -cf tree.tar .`,
  ]);
  await runOk('mkdir', [m.at('x')]);
  await runOk('tar', ['-xf', path.join(dir, 'tree.tar'), '-C', m.at('x')]);
  t.is(await mtimeOf(m.at('x', 'a.txt')), 946_684_800);
  t.is(await mtimeOf(m.at('x', 'sub', 'b.txt')), 978_307_200);
  t.is(await storedMtime(m, 'x/sub/b.txt'), '978307200');
});

test("a directory's mtime does not change when entries come and go", async (t) => {
  const m = await mount(t);
  const d = m.at('d');
  await runOk('mkdir', [d]);
  const made = await mtimeOf(d);
  await runOk('sh', ['-c', `sleep 1.1 && printf x > ${d}/f.txt && mkdir ${d}/sub`]);
  t.is(await mtimeOf(d), made);
  await runOk('rm', ['-r', `${d}/f.txt`, `${d}/sub`]);
  t.is(await mtimeOf(d), made);
});

test('mkfifo, mknod of a FIFO and binding a Unix socket fail with EPERM and create nothing', async (t) => {
  const m = await mount(t);
  const r = await run('mkfifo', [m.at('pipe')]);
  t.not(r.code, 0);
  t.regex(r.stderr, /Operation not permitted/);
  const errno = await runOk('python3', [
    '-c',
    'import os, stat, sys\ntry:\n  os.mknod(sys.argv[1], stat.S_IFIFO | 0o644)\nexcept OSError as e:\n  print(e.errno)',
    m.at('pipe2'),
  ]);
  t.is(errno.trim(), '1');
  const sockErrno = await runOk('python3', [
    '-c',
    'import socket, sys\ns = socket.socket(socket.AF_UNIX)\ntry:\n  s.bind(sys.argv[1])\nexcept OSError as e:\n  print(e.errno)',
    m.at('sock'),
  ]);
  t.is(sockErrno.trim(), '1');
  t.is((await m.emu.call('/test-bucket/pipe', { method: 'HEAD' })).status, 404);
  t.is((await run('stat', [m.at('pipe2')])).code, 1);
});

// libfuse turns mknod(S_IFREG) into create + release: an empty object.
test('mknod of a regular file creates an empty object', async (t) => {
  const m = await mount(t);
  await runOk('python3', [
    '-c',
    'import os, stat, sys; os.mknod(sys.argv[1], stat.S_IFREG | 0o640)',
    m.at('n'),
  ]);
  const res = await m.emu.call('/test-bucket/n', { method: 'HEAD' });
  t.is(res.status, 200);
  t.is(res.headers.get('content-length'), '0');
});
