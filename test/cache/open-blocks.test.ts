import test from 'ava';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenBlocks } from '../../cache/open-blocks.js';

/** Files a..e of 16 bytes each (byte i of file k is k*16+i), and an OpenBlocks that counts opens and closes. */
async function fixture(t: { teardown(fn: () => Promise<void>): void }, max: number) {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'gcsmount-open-blocks-'));
  t.teardown(() => fsp.rm(dir, { recursive: true, force: true }));
  const files: string[] = [];
  for (let k = 0; k < 5; k++) {
    const file = join(dir, String.fromCharCode(97 + k));
    await fsp.writeFile(file, Buffer.from(Array.from({ length: 16 }, (_, i) => k * 16 + i)));
    files.push(file);
  }
  const log = { opens: [] as string[], closes: [] as string[] };
  const blocks = new OpenBlocks(async (file) => {
    log.opens.push(file);
    const fh = await fsp.open(file, 'r');
    const close = fh.close.bind(fh);
    fh.close = () => {
      log.closes.push(file);
      return close();
    };
    return fh;
  }, max);
  return { files, log, blocks };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

test('repeated reads of one file open it once and read just the range asked for', async (t) => {
  const { files, log, blocks } = await fixture(t, 4);
  const into = Buffer.alloc(8, 0xff);
  t.is(await blocks.read(files[1]!, into, 2, 4, 3), 4);
  t.deepEqual([...into], [0xff, 0xff, 19, 20, 21, 22, 0xff, 0xff]);
  t.is(await blocks.read(files[1]!, into, 0, 2, 14), 2);
  t.deepEqual([...into.subarray(0, 2)], [30, 31]);
  t.deepEqual(log.opens, [files[1]]);
  t.is(blocks.size, 1);
});

test('the least recently used handle is closed beyond the bound', async (t) => {
  const { files, log, blocks } = await fixture(t, 2);
  const into = Buffer.alloc(1);
  await blocks.read(files[0]!, into, 0, 1, 0);
  await blocks.read(files[1]!, into, 0, 1, 0);
  await blocks.read(files[0]!, into, 0, 1, 0); // a is now the most recent
  await blocks.read(files[2]!, into, 0, 1, 0);
  await settle();
  t.deepEqual(log.closes, [files[1]]);
  t.is(blocks.size, 2);
});

test('forget closes a handle only after the read in flight on it has finished', async (t) => {
  const { files, log, blocks } = await fixture(t, 4);
  const into = Buffer.alloc(16);
  const reading = blocks.read(files[3]!, into, 0, 16, 0);
  blocks.forget(files[3]!);
  t.is(await reading, 16, 'the read completes on its handle');
  t.is(into[0], 48);
  await settle();
  t.deepEqual(log.closes, [files[3]]);
  t.is(blocks.size, 0);
  await blocks.read(files[3]!, into, 0, 1, 0);
  t.is(log.opens.length, 2, 'a read after forget opens the file again');
});

test('a failed open is not kept: the read rejects and the next read tries again', async (t) => {
  const { files, log, blocks } = await fixture(t, 4);
  const missing = `${files[0]!}-gone`;
  await t.throwsAsync(blocks.read(missing, Buffer.alloc(1), 0, 1, 0), { code: 'ENOENT' });
  await settle();
  t.is(blocks.size, 0);
  await t.throwsAsync(blocks.read(missing, Buffer.alloc(1), 0, 1, 0), { code: 'ENOENT' });
  t.is(log.opens.length, 2);
});

test('clear closes every handle', async (t) => {
  const { files, log, blocks } = await fixture(t, 4);
  for (const f of files.slice(0, 3)) await blocks.read(f, Buffer.alloc(1), 0, 1, 0);
  blocks.clear();
  await settle();
  t.deepEqual([...log.closes].sort(), files.slice(0, 3));
  t.is(blocks.size, 0);
});
