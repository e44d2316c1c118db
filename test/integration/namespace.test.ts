// ls, mkdir, rmdir, mv, rm, ln -s and the names an object store allows that a file system cannot show.

import test from 'ava';
import { mount } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

const ls = async (dir: string): Promise<string[]> =>
  (await runOk('ls', ['-1A', dir])).split('\n').filter((l) => l !== '');

test('readdir shows files, explicit and implicit directories, with sizes from the listing', async (t) => {
  const m = await mount(t);
  for (const [k, v] of [
    ['a.txt', 'aaa'],
    ['dir/', ''],
    ['implicit/deep/x', 'x'],
    ['dir/inner.txt', 'in'],
  ] as const) {
    await m.emu.call(`/test-bucket/${k}`, { method: 'PUT', body: v });
  }
  t.deepEqual(await ls(m.dir), ['a.txt', 'dir', 'implicit']);
  t.deepEqual(await ls(m.at('implicit')), ['deep']);
  t.deepEqual(await ls(m.at('dir')), ['inner.txt']);
  t.regex(await runOk('ls', ['-l', m.dir]), /-rw-r--r-- 1 \S+ \S+\s+3 .* a\.txt/);
  t.regex(await runOk('stat', ['-c', '%F', m.at('implicit/deep')]), /directory/);
});

test('names a file system cannot show are skipped; a directory shadows a file of the same name', async (t) => {
  const m = await mount(t);
  for (const k of ['a//b', 'x/./y', 'x/../z', 'same', 'same/child', 'ok.txt']) {
    await m.emu.call(`/test-bucket/${encodeURIComponent(k)}`, { method: 'PUT', body: k });
  }
  t.deepEqual(await ls(m.dir), ['a', 'ok.txt', 'same', 'x']);
  t.deepEqual(await ls(m.at('a')), []);
  t.deepEqual(await ls(m.at('x')), []);
  t.regex(await runOk('stat', ['-c', '%F', m.at('same')]), /directory/);
  t.deepEqual(await ls(m.at('same')), ['child']);
});

test('mkdir makes a marker object; rmdir removes an empty directory and refuses a full one', async (t) => {
  const m = await mount(t);
  await runOk('mkdir', [m.at('new')]);
  t.is((await m.emu.call('/test-bucket/new/', { method: 'HEAD' })).status, 200);
  await runOk('sh', ['-c', `echo x > ${m.at('new/f')}`]);
  const full = await run('rmdir', [m.at('new')]);
  t.not(full.code, 0);
  t.regex(full.stderr, /not empty/i);
  await runOk('rm', [m.at('new/f')]);
  t.deepEqual(await ls(m.at('new')), []);
  await runOk('rmdir', [m.at('new')]);
  t.is((await m.emu.call('/test-bucket/new/', { method: 'HEAD' })).status, 404);
  t.regex((await run('mkdir', [m.dir + '/a/b/c'])).stderr, /No such file/);
});

test('rm -r of an implicit tree removes everything; a directory emptied by rm stays until rmdir', async (t) => {
  const m = await mount(t);
  for (const k of ['t/1', 't/sub/2', 't/sub/deeper/3'])
    await m.emu.call(`/test-bucket/${k}`, { method: 'PUT', body: k });
  await runOk('rm', ['-r', m.at('t')]);
  t.deepEqual(await ls(m.dir), []);
  t.notRegex(await (await m.emu.call('/test-bucket')).text(), /<Key>/);
});

test('mv renames files (server-side copy then delete) and whole directories', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/f.txt', {
    method: 'PUT',
    body: 'content',
    headers: { 'x-goog-meta-color': 'blue' },
  });
  await runOk('mv', [m.at('f.txt'), m.at('g.txt')]);
  t.is((await m.emu.call('/test-bucket/f.txt', { method: 'HEAD' })).status, 404);
  const moved = await m.emu.call('/test-bucket/g.txt');
  t.is(await moved.text(), 'content');
  t.is(moved.headers.get('x-goog-meta-color'), 'blue');
  for (const k of ['d/1', 'd/s/2']) await m.emu.call(`/test-bucket/${k}`, { method: 'PUT', body: k });
  await runOk('mv', [m.at('d'), m.at('e')]);
  t.deepEqual(await ls(m.dir), ['e', 'g.txt']);
  t.is(await (await m.emu.call('/test-bucket/e/s/2')).text(), 'd/s/2');
  await runOk('sh', ['-c', `echo new > ${m.at('h.txt')}`]);
  await runOk('mv', [m.at('h.txt'), m.at('g.txt')]);
  t.is(await (await m.emu.call('/test-bucket/g.txt')).text(), 'new\n');
});

test('a directory rename beyond --rename-dir-limit fails with EXDEV and mv falls back to copying', async (t) => {
  const m = await mount(t, { flags: ['--rename-dir-limit', '2'] });
  for (const k of ['big/1', 'big/2', 'big/3'])
    await m.emu.call(`/test-bucket/${k}`, { method: 'PUT', body: k });
  const r = await runOk('python3', [
    '-c',
    'import os,sys\ntry:\n  os.rename(sys.argv[1], sys.argv[2])\nexcept OSError as e: print(e.errno)',
    m.at('big'),
    m.at('moved'),
  ]);
  t.is(r.trim(), '18');
  await runOk('mv', [m.at('big'), m.at('moved')]);
  t.deepEqual(await ls(m.at('moved')), ['1', '2', '3']);
});

test('symlinks keep their target; hard links fail with EPERM', async (t) => {
  const m = await mount(t);
  await runOk('sh', ['-c', `echo target > ${m.at('t.txt')}`]);
  await runOk('ln', ['-s', 't.txt', m.at('link')]);
  t.is((await runOk('readlink', [m.at('link')])).trim(), 't.txt');
  t.is(await runOk('cat', [m.at('link')]), 'target\n');
  const hard = await run('ln', [m.at('t.txt'), m.at('hard')]);
  t.not(hard.code, 0);
  t.regex(hard.stderr, /Operation not permitted/);
});

test('chmod, chown and touch persist in the gsutil metadata keys', async (t) => {
  const m = await mount(t);
  await runOk('sh', ['-c', `echo x > ${m.at('p.txt')}`]);
  await runOk('chmod', ['600', m.at('p.txt')]);
  await runOk('chown', ['1234:5678', m.at('p.txt')]);
  // Both times: libfuse 2 drops a setattr that changes only one of them (docs/SEMANTICS.md).
  await runOk('touch', ['-d', '2021-02-03 04:05:06Z', m.at('p.txt')]);
  const head = await m.emu.call('/test-bucket/p.txt', { method: 'HEAD' });
  t.is(head.headers.get('x-goog-meta-goog-reserved-posix-mode'), '600');
  t.is(head.headers.get('x-goog-meta-goog-reserved-posix-uid'), '1234');
  t.is(head.headers.get('x-goog-meta-goog-reserved-posix-gid'), '5678');
  t.is(
    head.headers.get('x-goog-meta-goog-reserved-file-mtime'),
    String(Date.parse('2021-02-03T04:05:06Z') / 1000),
  );
  t.is(
    (await runOk('stat', ['-c', '%a %u %g %Y', m.at('p.txt')])).trim(),
    `600 1234 5678 ${Date.parse('2021-02-03T04:05:06Z') / 1000}`,
  );
});

test('errors: ENOENT, EROFS on a read-only mount, ENAMETOOLONG', async (t) => {
  const m = await mount(t, { flags: ['--read-only'] });
  await m.emu.call('/test-bucket/r.txt', { method: 'PUT', body: 'r' });
  t.regex((await run('cat', [m.at('missing')])).stderr, /No such file/);
  t.regex((await run('sh', ['-c', `echo x > ${m.at('w.txt')}`])).stderr, /Read-only file system/);
  t.regex((await run('rm', [m.at('r.txt')])).stderr, /Read-only file system/);
  t.regex((await run('stat', [m.at('n'.repeat(300))])).stderr, /File name too long/);
  t.is(await runOk('cat', [m.at('r.txt')]), 'r');
});
