import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32c } from '@node-rs/crc32';
import { HashingStream, RunningHash, crc32cBase64, md5WorkerJobs } from '../../../emulator/store/hashing.js';

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

// Serial: the other tests start worker jobs of their own.
test.serial(
  'a small body is hashed inline; one past 256 KiB goes to the worker, and both digests are right',
  async (t) => {
    const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');
    const small = randomBytes(256 * 1024);
    const before = md5WorkerJobs();
    const hs = new RunningHash();
    await hs.update(small.subarray(0, 4096));
    await hs.update(small.subarray(4096));
    t.is((await hs.result()).md5, md5(small));
    t.is(md5WorkerJobs(), before, 'no worker job for 256 KiB');

    const big = randomBytes(256 * 1024 + 1);
    const hb = new RunningHash();
    await hb.update(big);
    t.deepEqual(await hb.result(), { size: big.length, md5: md5(big), crc32c: crc32cBase64(crc32c(big)) });
    t.is(md5WorkerJobs(), before + 1);

    const none = new RunningHash({ md5: false });
    await none.update(big);
    t.is((await none.result()).md5, '');
    t.is(md5WorkerJobs(), before + 1, 'CRC32C only never starts a job');
  },
);
