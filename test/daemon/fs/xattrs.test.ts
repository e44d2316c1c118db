import test from 'ava';
import { FsError } from '../../../daemon/posix/errors.js';
import type { Node } from '../../../daemon/fs/nodes.js';
import { MODE_KEY, SYMLINK_KEY } from '../../../daemon/posix/attrs.js';
import { CUSTOM_METADATA_MAX_BYTES } from '../../../daemon/fs/xattr-names.js';
import { strip, Xattrs } from '../../../daemon/fs/xattrs.js';
import { MemoryBackend } from '../../../storage/fake/memory-backend.js';

async function setup(metadata: Record<string, string> = {}) {
  const backend = new MemoryBackend();
  await backend.createBucket('bkt');
  await backend.writeObject('bkt', 'f.txt', Buffer.from('x'), { metadata });
  const xattrs = new Xattrs(backend, (b, k) => backend.statObject(b, k));
  // Like the filesystem, look the object up afresh before each call.
  const node = async (): Promise<Node> => ({
    kind: 'file',
    bucket: 'bkt',
    key: 'f.txt',
    meta: await backend.statObject('bkt', 'f.txt'),
  });
  return { backend, xattrs, node };
}

const code = (e: unknown): string => (e instanceof FsError ? e.code : String(e));

test('any user.* name is custom metadata: set, get, list, remove (rsync -X, user.xdg.*)', async (t) => {
  const { backend, xattrs, node } = await setup();
  await xattrs.set(await node(), 'user.test', Buffer.from('hello'));
  await xattrs.set(await node(), 'user.xdg.tags', Buffer.from('red,blue'));
  t.deepEqual((await backend.statObject('bkt', 'f.txt')).metadata, { test: 'hello', 'xdg.tags': 'red,blue' });
  t.is((await xattrs.get(await node(), 'user.xdg.tags')).toString(), 'red,blue');
  // the explicit form names the same key
  t.is((await xattrs.get(await node(), 'user.gcs.meta.test')).toString(), 'hello');
  const names = await xattrs.list(await node());
  t.true(names.includes('user.test'));
  t.true(names.includes('user.xdg.tags'));
  t.false(
    names.some((n) => n.startsWith('user.gcs.meta.')),
    'listed once, as user.KEY',
  );
  await xattrs.remove(await node(), 'user.test');
  t.deepEqual((await backend.statObject('bkt', 'f.txt')).metadata, { 'xdg.tags': 'red,blue' });
  const absent = await t.throwsAsync(xattrs.get(await node(), 'user.test'));
  t.is(code(absent), 'no-data');
  t.is(code(await t.throwsAsync(xattrs.remove(await node(), 'user.test'))), 'no-data');
});

test('a key starting with gcs. is listed in the explicit form, so it reads back', async (t) => {
  const { xattrs, node } = await setup({ 'gcs.x': '1' });
  const names = await xattrs.list(await node());
  t.true(names.includes('user.gcs.meta.gcs.x'));
  t.is((await xattrs.get(await node(), 'user.gcs.meta.gcs.x')).toString(), '1');
});

test('internal POSIX and symlink keys are hidden from listing and cannot be written or removed', async (t) => {
  const { xattrs, node } = await setup({
    [MODE_KEY]: '600',
    [SYMLINK_KEY]: 'target',
    'goog-reserved-other': 'x',
    color: 'blue',
  });
  const names = await xattrs.list(await node());
  t.false(
    names.some((n) => n.includes('goog-reserved') || n.includes(SYMLINK_KEY)),
    names.join(' '),
  );
  t.true(names.includes('user.color'));
  for (const name of [
    `user.${MODE_KEY}`,
    `user.gcs.meta.${MODE_KEY}`,
    `user.${SYMLINK_KEY}`,
    'user.goog-reserved-new',
  ]) {
    t.is(code(await t.throwsAsync(xattrs.set(await node(), name, Buffer.from('1')))), 'perm', name);
  }
  t.is(code(await t.throwsAsync(xattrs.remove(await node(), `user.${MODE_KEY}`))), 'perm');
  // still readable by name (diagnosis), just not advertised
  t.is((await xattrs.get(await node(), `user.${MODE_KEY}`)).toString(), '600');
});

test('names and values the store cannot keep exactly are refused, not altered', async (t) => {
  const { backend, xattrs, node } = await setup();
  const refused = async (name: string, value: Buffer | string): Promise<string> =>
    code(
      await t.throwsAsync(
        xattrs.set(await node(), name, Buffer.isBuffer(value) ? value : Buffer.from(value)),
      ),
    );
  t.is(await refused('user.Upper', 'x'), 'invalid'); // the store folds case
  t.is(await refused('user.a b', 'x'), 'invalid');
  t.is(await refused('user.', 'x'), 'invalid');
  t.is(await refused('user.t', 'line\nbreak'), 'invalid');
  t.is(await refused('user.t', ' padded'), 'invalid'); // HTTP trims header values
  t.is(await refused('user.t', 'caf\u00e9'), 'invalid'); // the XML API is ASCII
  t.is(await refused('user.t', Buffer.from([0xff, 0x00])), 'invalid');
  t.is(await refused('user.big', 'v'.repeat(CUSTOM_METADATA_MAX_BYTES)), 'no-space');
  t.deepEqual((await backend.statObject('bkt', 'f.txt')).metadata, {});
  // at the limit exactly is fine; rsync's fake-super key shape too
  await xattrs.set(await node(), 'user.rsync.%stat', Buffer.from('100644 0,0 0:0'));
  await xattrs.remove(await node(), 'user.rsync.%stat');
  await xattrs.set(await node(), 'user.big', Buffer.from('v'.repeat(CUSTOM_METADATA_MAX_BYTES - 3)));
  t.is(code(await t.throwsAsync(xattrs.set(await node(), 'user.x', Buffer.from('1')))), 'no-space');
});

test('other namespaces are ENOTSUP before any lookup; user.gcs.* still works as before', async (t) => {
  t.throws(() => strip('security.capability'), { instanceOf: FsError, message: /only user\.\* attributes/ });
  t.is(strip('user.anything'), 'user.anything');
  const { xattrs, node } = await setup();
  await xattrs.set(await node(), 'user.gcs.cache-control', Buffer.from('no-cache'));
  t.is((await xattrs.get(await node(), 'user.gcs.cache-control')).toString(), 'no-cache');
  t.deepEqual(await xattrs.list(await node()), [], 'user.gcs.* names are virtual: read by name, not listed');
  t.regex((await xattrs.get(await node(), 'user.gcs.generation')).toString(), /^\d+$/);
  t.is(code(await t.throwsAsync(xattrs.set(await node(), 'user.gcs.md5', Buffer.from('x')))), 'perm');
  t.is(
    code(await t.throwsAsync(xattrs.set(await node(), 'user.gcs.bogus', Buffer.from('x')))),
    'not-supported',
  );
});
