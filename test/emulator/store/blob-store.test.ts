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

test('memory: blobs kept as their parts read back right across part and blob boundaries, in pieces of at most 64 KiB', async (t) => {
  const { blobs } = Store.memory();
  const a = Buffer.alloc(200_000, 'a');
  const b = Buffer.from('tiny');
  const c = Buffer.alloc(70_000, 'c');
  const ia = await blobs.write(Readable.from([a.subarray(0, 100_001), a.subarray(100_001)]));
  const ib = await blobs.write(Readable.from([b]));
  const ic = await blobs.write(Readable.from([c.subarray(0, 3), c.subarray(3)]));
  const all = Buffer.concat([a, b, c]);
  const joined = await blobs.concat([ia.id, ib.id, ic.id], { known: { md5: 'm', crc32c: 'c' } });
  t.is(joined.size, all.length);
  const hashed = await blobs.concat([ia.id, ib.id, ic.id]);
  t.is(hashed.size, all.length);
  for (const id of [joined.id, hashed.id]) {
    for (const [start, end] of [
      [0, all.length],
      [99_999, 100_003],
      [199_998, 200_006],
      [200_004, all.length],
      [100_001, 100_002], // exactly at a part boundary
      [200_000, 200_004], // exactly one blob
      [5, 5],
    ] as const) {
      const pieces: Buffer[] = [];
      for await (const p of (await blobs.read(id, start, end)) as AsyncIterable<Buffer>) pieces.push(p);
      t.true(Buffer.concat(pieces).equals(all.subarray(start, end)), `${start}-${end}`);
      t.true(pieces.every((p) => p.length > 0 && p.length <= 65536));
    }
  }
});
