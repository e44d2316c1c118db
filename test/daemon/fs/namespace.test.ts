import test from 'ava';
import { CachedBackend } from '../../../cache/cached-backend.js';
import { ListingCache } from '../../../cache/listing-cache.js';
import { MetadataCache } from '../../../cache/metadata-cache.js';
import { NameSet } from '../../../cache/name-set.js';
import { ManualClock } from '../../../common/clock.js';
import { FsError } from '../../../daemon/posix/errors.js';
import { Namespace } from '../../../daemon/fs/namespace.js';
import { nodeAttr, S_IFDIR, type Defaults, type Node } from '../../../daemon/fs/nodes.js';
import { writePosix } from '../../../daemon/posix/attrs.js';
import type { StorageBackend } from '../../../storage/backend.js';
import { MemoryBackend } from '../../../storage/fake/memory-backend.js';
import { counting } from '../../helpers/counting-backend.js';

const TYPE_TTL = 60_000;
const defaults: Defaults = { uid: 1000, gid: 1000, fileMode: 0o644, dirMode: 0o755, mountedAt: new Date(0) };

async function setup(o: { implicitDirs?: boolean; cached?: boolean; typeTtl?: number } = {}) {
  const clock = new ManualClock();
  const memory = new MemoryBackend({ clock });
  await memory.createBucket('bkt');
  const put = (name: string, body = '', metadata: Record<string, string> = {}) =>
    memory.writeObject('bkt', name, Buffer.from(body), { metadata });
  const counted = counting(memory);
  const backend: StorageBackend = o.cached
    ? new CachedBackend(counted.backend, {
        metadata: new MetadataCache({ ttlMs: 60_000, maxEntries: 1000, clock }),
        negative: new NameSet({ ttlMs: TYPE_TTL, maxEntries: 1000, clock }),
        listings: new ListingCache({ ttlMs: 0, maxEntries: 1000, clock }),
      })
    : counted.backend;
  const types = new NameSet({ ttlMs: o.typeTtl ?? TYPE_TTL, maxEntries: 1000, clock });
  const ns = new Namespace(
    backend,
    { project: false, bucket: 'bkt', onlyDir: '' },
    o.implicitDirs ?? true,
    types,
    new NameSet({ ttlMs: o.typeTtl ?? TYPE_TTL, maxEntries: 1000, clock }),
  );
  /** Looks `key` up and returns the node with the requests that one lookup cost. */
  const look = async (key: string): Promise<{ node: Node; requests: ReturnType<typeof counted.counts> }> => {
    counted.reset();
    const node = await ns.lookupEntry('bkt', key);
    return { node, requests: counted.counts() };
  };
  const missing = async (key: string) => {
    counted.reset();
    const err = await (async () => {
      try {
        await ns.lookupEntry('bkt', key);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    return { err, requests: counted.counts() };
  };
  return { clock, memory, put, ns, look, missing, counted };
}

test('stat of a file: one HEAD and one LIST, then one HEAD while the type cache knows it', async (t) => {
  const s = await setup();
  await s.put('dir/f.txt', 'hello', writePosix({}, { mode: 0o600, uid: 7, gid: 8 }));
  const first = await s.look('dir/f.txt');
  t.is(first.node.kind, 'file');
  t.deepEqual(first.requests, { statObject: 1, listPage: 1 });
  const attr = nodeAttr(defaults, first.node);
  t.is(attr.mode & 0o7777, 0o600);
  t.is(attr.size, 5);
  t.deepEqual([attr.uid, attr.gid], [7, 8]);
  t.deepEqual((await s.look('dir/f.txt')).requests, { statObject: 1 });
  await s.clock.advance(TYPE_TTL);
  t.deepEqual((await s.look('dir/f.txt')).requests, { statObject: 1, listPage: 1 });
});

test('stat of a missing name: one HEAD and one LIST, ENOENT', async (t) => {
  const s = await setup();
  const { err, requests } = await s.missing('nothing');
  t.true(err instanceof FsError && err.code === 'not-found');
  t.deepEqual(requests, { statObject: 1, listPage: 1 });
});

test('a directory with a marker shows the mode, owner and mtime stored on the marker', async (t) => {
  const s = await setup();
  await s.put('d/', '', writePosix({}, { mode: 0o1777, uid: 0, gid: 50, mtime: 1_600_000_000 }));
  const { node, requests } = await s.look('d');
  t.is(node.kind, 'dir');
  // HEAD d and LIST d/ in parallel, then HEAD of the marker d/ for its metadata.
  t.deepEqual(requests, { statObject: 2, listPage: 1 });
  const attr = nodeAttr(defaults, node);
  t.is(attr.mode, S_IFDIR | 0o1777);
  t.deepEqual([attr.uid, attr.gid], [0, 50]);
  t.is(attr.mtime.getTime(), 1_600_000_000_000);
});

test('a marker without POSIX metadata, and an implicit directory, show the defaults', async (t) => {
  const s = await setup();
  await s.put('plain/');
  await s.put('implicit/child', 'x');
  const plain = await s.look('plain');
  t.deepEqual(plain.requests, { statObject: 2, listPage: 1 });
  t.is(nodeAttr(defaults, plain.node).mode, S_IFDIR | 0o755);
  const implicit = await s.look('implicit');
  t.is(implicit.node.kind, 'dir');
  t.deepEqual(implicit.requests, { statObject: 1, listPage: 1 });
  const attr = nodeAttr(defaults, implicit.node);
  t.is(attr.mode, S_IFDIR | 0o755);
  t.deepEqual([attr.uid, attr.gid], [1000, 1000]);
});

test('with implicit dirs off, only a marker makes a directory', async (t) => {
  const s = await setup({ implicitDirs: false });
  await s.put('implicit/child', 'x');
  await s.put('marked/', '', writePosix({}, { mode: 0o700 }));
  t.true((await s.missing('implicit')).err instanceof FsError);
  const { node } = await s.look('marked');
  t.is(nodeAttr(defaults, node).mode, S_IFDIR | 0o700);
});

test('through the stat cache, a repeated directory lookup costs nothing while the type cache knows it', async (t) => {
  const s = await setup({ cached: true });
  await s.put('d/', '', writePosix({}, { mode: 0o700 }));
  await s.put('i/x', 'x');
  t.deepEqual((await s.look('d')).requests, { statObject: 2, listPage: 1 });
  const again = await s.look('d');
  t.deepEqual(again.requests, {});
  t.is(nodeAttr(defaults, again.node).mode, S_IFDIR | 0o700);
  // An implicit directory: the probe's page proves there is no marker (it would sort first).
  t.deepEqual((await s.look('i')).requests, { statObject: 1, listPage: 1 });
  t.deepEqual((await s.look('i')).requests, {});
  // Past the type-cache TTL, the probe again.
  await s.clock.advance(TYPE_TTL);
  t.deepEqual((await s.look('i')).requests, { statObject: 1, listPage: 1 });
});

test('forgetTree forgets directories under a renamed or removed one', async (t) => {
  const s = await setup({ cached: true });
  await s.put('a/b/c/x', 'x');
  await s.look('a/b');
  await s.look('a/b/c');
  t.deepEqual((await s.look('a/b/c')).requests, {});
  s.ns.forgetTree('bkt', 'a/b');
  // The probe again (the HEAD of the name is still negatively cached).
  t.deepEqual((await s.look('a/b/c')).requests, { listPage: 1 });
});

test('a directory hides a file of the same name', async (t) => {
  const s = await setup();
  await s.put('same', 'file');
  await s.put('same/child', 'x');
  t.is((await s.look('same')).node.kind, 'dir');
});

test('a 1024-byte name is looked up with one HEAD: nothing can live under it', async (t) => {
  const s = await setup();
  const key = ['a'.repeat(255), 'b'.repeat(255), 'c'.repeat(255), 'd'.repeat(254), 'e'].join('/');
  t.is(Buffer.byteLength(key), 1024);
  await s.put(key, 'deep');
  const { node, requests } = await s.look(key);
  t.is(node.kind, 'file');
  t.deepEqual(requests, { statObject: 1 });
  const parent = await s.look(key.slice(0, -2));
  t.is(parent.node.kind, 'dir');
});

test('NFC and NFD twins are two names, each its own object', async (t) => {
  const s = await setup();
  const nfc = 'caf\u00e9';
  const nfd = 'cafe\u0301';
  await s.put(nfc, 'composed');
  await s.put(nfd, 'decomposed!');
  const a = await s.look(nfc);
  const b = await s.look(nfd);
  t.is(a.node.kind === 'file' ? a.node.meta.size : -1, 8);
  t.is(b.node.kind === 'file' ? b.node.meta.size : -1, 11);
});

test('forgetPath forgets the name and its ancestors, so a new directory there is seen at once', async (t) => {
  const s = await setup();
  await s.put('a', 'file');
  await s.put('a/b', 'file');
  s.ns.rememberFile('bkt', 'a');
  s.ns.rememberFile('bkt', 'a/b');
  // Trusted as files: no probe, so the directory a/ (which hides the file a) is not seen.
  t.is((await s.look('a')).node.kind, 'file');
  s.ns.forgetPath('bkt', 'a/b/c');
  t.is((await s.look('a')).node.kind, 'dir');
  t.deepEqual((await s.look('a/b')).requests, { statObject: 1, listPage: 1 });
});

test('a name that vanished is forgotten by the type cache; TTL 0 never skips the probe', async (t) => {
  const s = await setup();
  await s.put('gone', 'x');
  await s.look('gone');
  await s.memory.deleteObject('bkt', 'gone');
  t.true((await s.missing('gone')).err instanceof FsError);
  await s.put('gone/child', 'x');
  t.is((await s.look('gone')).node.kind, 'dir');
  const off = await setup({ typeTtl: 0 });
  await off.put('f', 'x');
  await off.look('f');
  t.deepEqual((await off.look('f')).requests, { statObject: 1, listPage: 1 });
});
