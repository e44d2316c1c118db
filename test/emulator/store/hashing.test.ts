import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32c } from '@node-rs/crc32';
import { HashingStream, crc32cBase64 } from '../../../emulator/store/hashing.js';

const sink = (): Writable => new Writable({ write: (_c, _e, done) => done() });

test('hashes match a one-shot MD5 and CRC32C, over many chunks and past the worker queue bound', async (t) => {
  const data = randomBytes(40 * 1024 * 1024 + 17);
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length; at += 1_000_003) pieces.push(data.subarray(at, at + 1_000_003));
  const h = new HashingStream();
  await pipeline(Readable.from(pieces), h, sink());
  t.deepEqual(await h.result(), {
    size: data.length,
    md5: createHash('md5').update(data).digest('base64'),
    crc32c: crc32cBase64(crc32c(data)),
  });
});

test('concurrent streams do not mix their bytes; an empty stream has the empty digests', async (t) => {
  const a = Buffer.from('alpha'.repeat(10_000));
  const b = Buffer.from('beta');
  const [ha, hb, he] = [new HashingStream(), new HashingStream(), new HashingStream()];
  await Promise.all([
    pipeline(Readable.from([a.subarray(0, 7), a.subarray(7)]), ha, sink()),
    pipeline(Readable.from([b]), hb, sink()),
    pipeline(Readable.from([]), he, sink()),
  ]);
  t.is((await ha.result()).md5, createHash('md5').update(a).digest('base64'));
  t.is((await hb.result()).md5, createHash('md5').update(b).digest('base64'));
  t.is((await he.result()).md5, '1B2M2Y8AsgTpgAmY7PhCfg==');
});

test('a stream destroyed mid-way leaves no job behind (the process can exit)', async (t) => {
  const h = new HashingStream();
  const failing = new Readable({
    read() {
      this.push(Buffer.alloc(1000));
      this.destroy(new Error('cut'));
    },
  });
  await t.throwsAsync(pipeline(failing, h, sink()), { message: 'cut' });
});
