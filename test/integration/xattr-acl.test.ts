// ACLs and metadata through getfattr/setfattr (Debian's attr), names under user.gcs.*, and any other
// user.* name as custom metadata, with rsync -X (docs/XATTRS.md).

import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mount } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

const get = (file: string, name: string): Promise<string> =>
  runOk('getfattr', ['--only-values', '-n', name, file]);

test('getfattr -d lists custom metadata only; hashes, generation and the ACL are read by name', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/o.txt', {
    method: 'PUT',
    body: 'hello world',
    headers: { 'content-type': 'text/plain', 'x-goog-meta-color': 'blue' },
  });
  await runOk('chmod', ['600', m.at('o.txt')]); // stores goog-reserved-posix-mode, which stays hidden
  const head = await m.emu.call('/test-bucket/o.txt', { method: 'HEAD' });
  const dump = await runOk('getfattr', ['-d', '-m', '-', m.at('o.txt')]);
  t.is(dump.trim().split('\n').slice(1).join('\n'), 'user.color="blue"');
  t.is(await get(m.at('o.txt'), 'user.gcs.crc32c'), 'yZRlqg==');
  t.is(await get(m.at('o.txt'), 'user.gcs.md5'), 'XrY7u+Ae7tCTyyK7j1rNww==');
  t.is(await get(m.at('o.txt'), 'user.gcs.content-type'), 'text/plain');
  t.is(await get(m.at('o.txt'), 'user.gcs.meta.color'), 'blue');
  t.is(await get(m.at('o.txt'), 'user.gcs.generation'), head.headers.get('x-goog-generation') ?? '');
  t.regex(await get(m.at('o.txt'), 'user.gcs.acl'), /FULL_CONTROL/);
  t.regex(
    (await run('setfattr', ['-n', 'user.goog-reserved-posix-mode', '-v', '777', m.at('o.txt')])).stderr,
    /Operation not permitted/,
  );
});

test('rsync -X copies a user.test xattr onto the mount, where it is custom metadata', async (t) => {
  const m = await mount(t);
  const src = await mkdtemp(path.join(tmpdir(), 'gcsmount-rsync-'));
  t.teardown(() => rm(src, { recursive: true, force: true }));
  await writeFile(path.join(src, 'tagged.txt'), 'tagged\n');
  await runOk('setfattr', ['-n', 'user.test', '-v', 'hello', path.join(src, 'tagged.txt')]);
  await runOk('rsync', ['-X', path.join(src, 'tagged.txt'), `${m.dir}/`]);
  t.is(await get(m.at('tagged.txt'), 'user.test'), 'hello');
  const head = await m.emu.call('/test-bucket/tagged.txt', { method: 'HEAD' });
  t.is(head.headers.get('x-goog-meta-test'), 'hello');
  // and back: a second rsync -X from the mount finds nothing to fix
  const back = await mkdtemp(path.join(tmpdir(), 'gcsmount-rsync-back-'));
  t.teardown(() => rm(back, { recursive: true, force: true }));
  await runOk('rsync', ['-X', m.at('tagged.txt'), `${back}/`]);
  t.is(await get(path.join(back, 'tagged.txt'), 'user.test'), 'hello');
});

test('cp --preserve=xattr and rsync -aX of a tree round-trip; a re-sync removes what the source lost', async (t) => {
  const m = await mount(t);
  const src = await mkdtemp(path.join(tmpdir(), 'gcsmount-xcopy-'));
  t.teardown(() => rm(src, { recursive: true, force: true }));
  const f = path.join(src, 'tree', 'sub', 'f.txt');
  await mkdir(path.dirname(f), { recursive: true });
  await writeFile(f, 'f\n');
  await runOk('setfattr', ['-n', 'user.k', '-v', 'v', f]);
  await runOk('setfattr', ['-n', 'user.xdg.comment', '-v', 'note', f]);
  await runOk('setfattr', ['-n', 'user.dirtag', '-v', 'd1', path.dirname(f)]);
  await runOk('cp', ['--preserve=xattr', f, m.at('cp.txt')]);
  t.is(
    await runOk('getfattr', ['-d', '--absolute-names', m.at('cp.txt')]),
    `# file: ${m.at('cp.txt')}\nuser.k="v"\nuser.xdg.comment="note"\n\n`,
  );
  await runOk('rsync', ['-aX', path.join(src, 'tree'), `${m.dir}/`]);
  t.is(await get(m.at('tree', 'sub'), 'user.dirtag'), 'd1'); // a directory's, on its marker object
  await runOk('setfattr', ['-x', 'user.k', f]);
  await runOk('rsync', ['-aX', path.join(src, 'tree'), `${m.dir}/`]);
  t.regex(
    (await run('getfattr', ['-n', 'user.k', m.at('tree', 'sub', 'f.txt')])).stderr,
    /No such attribute/,
  );
  // and back to a local disk, where the copy carries the same names and no user.gcs.* one
  const back = path.join(src, 'back');
  await runOk('rsync', ['-aX', m.at('tree'), `${back}/`]);
  t.is(
    await runOk('getfattr', ['-R', '-d', '--absolute-names', path.join(back, 'tree')]),
    `# file: ${path.join(back, 'tree', 'sub')}\nuser.dirtag="d1"\n\n` +
      `# file: ${path.join(back, 'tree', 'sub', 'f.txt')}\nuser.xdg.comment="note"\n\n`,
  );
});

test('setfattr -n user.xdg.tags: tagging tools store custom metadata', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/photo.jpg', { method: 'PUT', body: 'jpeg' });
  await runOk('setfattr', ['-n', 'user.xdg.tags', '-v', 'holiday,beach', m.at('photo.jpg')]);
  t.is(await get(m.at('photo.jpg'), 'user.xdg.tags'), 'holiday,beach');
  const head = await m.emu.call('/test-bucket/photo.jpg', { method: 'HEAD' });
  t.is(head.headers.get('x-goog-meta-xdg.tags'), 'holiday,beach');
  t.regex(await runOk('getfattr', ['-d', m.at('photo.jpg')]), /user\.xdg\.tags="holiday,beach"/);
  await runOk('setfattr', ['-x', 'user.xdg.tags', m.at('photo.jpg')]);
  t.regex((await run('getfattr', ['-n', 'user.xdg.tags', m.at('photo.jpg')])).stderr, /No such attribute/);
  t.regex(
    (await run('setfattr', ['-n', 'user.Tags', '-v', 'x', m.at('photo.jpg')])).stderr,
    /Invalid argument/,
  );
});

test("add a grant for an email address (the tutorial's add_email_grant), then apply a canned ACL", async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/labrador.txt', { method: 'PUT', body: 'Who wants to play fetch? Me!' });
  await runOk('setfattr', [
    '-n',
    'user.gcs.acl.grant',
    '-v',
    'FULL_CONTROL user:jane@example.com',
    m.at('labrador.txt'),
  ]);
  const acl = await get(m.at('labrador.txt'), 'user.gcs.acl');
  t.regex(acl, /^FULL_CONTROL user-id:00b4903a97[0-9a-f]{54}$/m);
  t.regex(acl, /^FULL_CONTROL user:jane@example\.com$/m);
  const xml = await (await m.emu.call('/test-bucket/labrador.txt?acl')).text();
  t.true(
    xml.includes(
      "<Scope type='UserByEmail'><EmailAddress>jane@example.com</EmailAddress></Scope><Permission>FULL_CONTROL</Permission>",
    ),
  );
  await runOk('setfattr', ['-n', 'user.gcs.acl.canned', '-v', 'public-read', m.at('labrador.txt')]);
  t.regex(await get(m.at('labrador.txt'), 'user.gcs.acl'), /^READ allUsers$/m);
});

test('replace a whole ACL from text; a malformed one is EINVAL and changes nothing', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/a.txt', { method: 'PUT', body: 'a' });
  const before = await get(m.at('a.txt'), 'user.gcs.acl');
  const owner = /^FULL_CONTROL (user-id:\S+)$/m.exec(before)?.[1] ?? '';
  await runOk('setfattr', [
    '-n',
    'user.gcs.acl',
    '-v',
    `FULL_CONTROL ${owner}\nREAD allAuthenticatedUsers\nREAD domain:example.com\n`,
    m.at('a.txt'),
  ]);
  t.is(
    await get(m.at('a.txt'), 'user.gcs.acl'),
    `FULL_CONTROL ${owner}\nREAD allAuthenticatedUsers\nREAD domain:example.com\n`,
  );
  const bad = await run('setfattr', ['-n', 'user.gcs.acl', '-v', 'OWN everyone', m.at('a.txt')]);
  t.regex(bad.stderr, /Invalid argument/);
  t.regex(await get(m.at('a.txt'), 'user.gcs.acl'), /READ allAuthenticatedUsers/);
});

test('bucket ACL and default object ACL on the bucket directory of a project mount', async (t) => {
  const m = await mount(t, { bucket: '_', buckets: ['dogs-acl'] });
  t.regex(await get(m.at('dogs-acl'), 'user.gcs.acl'), /^READ group-id:/m);
  await runOk('setfattr', ['-n', 'user.gcs.default-acl.canned', '-v', 'public-read', m.at('dogs-acl')]);
  t.regex(await get(m.at('dogs-acl'), 'user.gcs.default-acl'), /READ allUsers/);
  await runOk('sh', ['-c', `echo x > ${m.at('dogs-acl', 'new.txt')}`]);
  t.regex(await get(m.at('dogs-acl', 'new.txt'), 'user.gcs.acl'), /READ allUsers/);
});

test('writable metadata: set, read, remove; read-only names refuse with EPERM', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/m.txt', {
    method: 'PUT',
    body: 'm',
    headers: { 'x-goog-acl': 'public-read' },
  });
  await runOk('setfattr', ['-n', 'user.gcs.content-type', '-v', 'text/markdown', m.at('m.txt')]);
  await runOk('setfattr', ['-n', 'user.gcs.cache-control', '-v', 'no-cache', m.at('m.txt')]);
  await runOk('setfattr', ['-n', 'user.gcs.meta.owner', '-v', 'team-a', m.at('m.txt')]);
  const head = await m.emu.call('/test-bucket/m.txt', { method: 'HEAD' });
  t.is(head.headers.get('content-type'), 'text/markdown');
  t.is(head.headers.get('cache-control'), 'no-cache');
  t.is(head.headers.get('x-goog-meta-owner'), 'team-a');
  // A metadata update is a copy onto itself on the XML API; the object's ACL must survive it (and chmod).
  await runOk('chmod', ['640', m.at('m.txt')]);
  t.regex(await get(m.at('m.txt'), 'user.gcs.acl'), /^READ allUsers$/m);
  t.is(await (await m.emu.call('/test-bucket/m.txt')).text(), 'm');
  await runOk('setfattr', ['-x', 'user.gcs.meta.owner', m.at('m.txt')]);
  t.is((await m.emu.call('/test-bucket/m.txt', { method: 'HEAD' })).headers.get('x-goog-meta-owner'), null);
  t.regex(
    (await run('setfattr', ['-n', 'user.gcs.md5', '-v', 'x', m.at('m.txt')])).stderr,
    /Operation not permitted/,
  );
});

test('absent names are ENODATA, other namespaces ENOTSUP, a short buffer ERANGE', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/e.txt', {
    method: 'PUT',
    body: 'e',
    headers: { 'x-goog-meta-long-enough': 'so the list needs more than 4 bytes' },
  });
  t.regex((await run('getfattr', ['-n', 'user.gcs.meta.none', m.at('e.txt')])).stderr, /No such attribute/);
  t.regex((await run('getfattr', ['-n', 'user.none', m.at('e.txt')])).stderr, /No such attribute/);
  t.regex(
    (await run('setfattr', ['-n', 'trusted.x', '-v', '1', m.at('e.txt')])).stderr,
    /Operation not supported/,
  );
  const script = `
import ctypes, ctypes.util, sys
libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
buf = ctypes.create_string_buffer(4)
n = libc.getxattr(sys.argv[1].encode(), b'user.gcs.crc32c', buf, 4)
print(n, ctypes.get_errno())
n = libc.listxattr(sys.argv[1].encode(), buf, 4)
print(n, ctypes.get_errno())
`;
  t.is((await runOk('python3', ['-c', script, m.at('e.txt')])).trim(), '-1 34\n-1 34');
});
