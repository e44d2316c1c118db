import test from 'ava';
import { tmpdir } from 'node:os';
import { diskCacheRoom } from '../../cache/disk-room.js';

const GiB = 2 ** 30;

test('the asked-for size when the disk has room for twice as much', async (t) => {
  t.deepEqual(await diskCacheRoom('/x', 2 * GiB, () => Promise.resolve(10 * GiB)), { bytes: 2 * GiB });
});

test('at most half of the free space, saying so', async (t) => {
  t.deepEqual(await diskCacheRoom('/x', 2 * GiB, () => Promise.resolve(GiB + 1)), {
    bytes: GiB / 2,
    cutFrom: GiB + 1,
  });
});

test('the asked-for size when the free space cannot be read', async (t) => {
  t.deepEqual(await diskCacheRoom('/x', GiB, () => Promise.reject(new Error('EIO'))), { bytes: GiB });
});

test('reads the real free space of a directory', async (t) => {
  const room = await diskCacheRoom(tmpdir(), Number.MAX_SAFE_INTEGER);
  t.true(room.cutFrom !== undefined && room.cutFrom > 0);
  t.is(room.bytes, Math.floor(room.cutFrom! / 2));
});
