// The appendable blobs of resumable sessions, in both stores: bytes written in place at the persisted
// offset (a chunk's resent head skipped, a chunk's tail past a boundary rewritten by the next), read back
// for hashing, committed as one blob without a copy, or discarded without a trace.
import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Store } from '../../../emulator/store/store.js';

const body = (...parts: string[]): Readable => Readable.from(parts.map((p) => Buffer.from(p)));

async function text(r: Readable): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of r as AsyncIterable<Buffer>) out.push(c);
  return Buffer.concat(out).toString();
}

const stores = {
  memory: () => Promise.resolve({ store: Store.memory(), dir: undefined as string | undefined }),
  folder: async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-append-'));
    return { store: await Store.folder(dir), dir };
  },
};

for (const [kind, make] of Object.entries(stores)) {
  test(`${kind}: chunks written in place, a resent head skipped, a tail rewritten, committed whole`, async (t) => {
    const { store, dir } = await make();
    if (dir) t.teardown(() => rm(dir, { recursive: true, force: true }));
    const blob = await store.blobs.appendable();
    t.is(await blob.write(body('hello ', 'wor'), 0, 0), 9);
    // Only "hello " (6 bytes) was persisted; the next chunk resends from byte 4 ("o world"): skip 2.
    t.is(await blob.write(body('o world', '!'), 6, 2), 8);
    t.is(await text(await blob.read(0, 12)), 'hello world!');
    t.is(await text(await blob.read(6, 11)), 'world');
    const info = await blob.commit(11, { md5: 'm', crc32c: 'c' });
    t.like(info, { size: 11, md5: 'm', crc32c: 'c' });
    t.is(await text(await store.blobs.read(info.id, 0, 11)), 'hello world');
    if (dir) t.deepEqual(await readdir(path.join(dir, 'tmp')), [], 'the session file was moved, not copied');
  });

  test(`${kind}: a discarded session leaves nothing behind`, async (t) => {
    const { store, dir } = await make();
    if (dir) t.teardown(() => rm(dir, { recursive: true, force: true }));
    const blob = await store.blobs.appendable();
    await blob.write(body('bytes'), 0, 0);
    await blob.discard();
    if (dir) {
      t.deepEqual(await readdir(path.join(dir, 'tmp')), []);
      t.deepEqual(await readdir(path.join(dir, 'blobs')), []);
    } else t.pass();
  });
}
