// --async-uploads on a real mount: cp returns before the uploads, ls -l shows the sizes at once, a
// kill -9 while uploads are pending loses nothing (the remount with the same cache dir uploads every
// closed file, byte-identical), and uploads under a flaky store (10% 429/503, 1% lost responses) all
// arrive with 0 errors. Each test is bounded in time and tears its mounts down even on failure.

import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFaultSpec } from '../../emulator/faults/fault-spec.js';
import { mount, waitUntil, type TestMount } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

const object = async (m: TestMount, key: string): Promise<Buffer> =>
  Buffer.from(await (await m.emu.call(`/test-bucket/${key}`)).arrayBuffer());

/** `n` files of random bytes (1 KiB to 64 KiB) under base/src; returns name -> md5. */
async function sources(base: string, n: number): Promise<Map<string, string>> {
  const dir = path.join(base, 'src');
  await mkdir(dir, { recursive: true });
  const sums = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const data = randomBytes(1024 + ((i * 7919) % (63 * 1024)));
    await writeFile(path.join(dir, `f${i}.bin`), data);
    sums.set(`f${i}.bin`, md5(data));
  }
  return sums;
}

async function stagedRecords(m: TestMount): Promise<number> {
  const [id] = await readdir(m.cacheDir).catch(() => [] as string[]);
  if (id === undefined) return 0;
  const names = await readdir(path.join(m.cacheDir, id, 'staging')).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.json')).length;
}

test('async: 20 files closed, kill -9 while their uploads are pending; the remount uploads all 20', async (t) => {
  t.timeout(120_000);
  const flags = ['--async-uploads', '--upload-delay', '100ms'];
  const first = await mount(t, { flags });
  const sums = await sources(first.base, 20);
  // Uploads crawl, so every one is still pending at the kill.
  first.emu.faults.set(parseFaultSpec('methods=PUT|POST,path=/test-bucket/f,latency=15s'));
  await runOk('sh', ['-c', `cp ${path.join(first.base, 'src')}/* ${first.dir}/`], { timeoutMs: 30_000 });
  // cp returned with nothing uploaded, and ls -l shows every size right away.
  const ls = await runOk('ls', ['-l', first.dir]);
  for (let i = 0; i < 20; i++) {
    const size = 1024 + ((i * 7919) % (63 * 1024));
    t.regex(ls, new RegExp(` ${size} .* f${i}\\.bin$`, 'm'));
  }
  t.is(await stagedRecords(first), 20);
  first.daemon.kill('SIGKILL');
  await new Promise((r) => first.daemon.once('exit', r));
  await run('fusermount', ['-u', '-z', first.dir]);
  first.emu.faults.set(parseFaultSpec(''));
  t.is((await first.emu.call('/test-bucket/f0.bin', { method: 'HEAD' })).status, 404);

  // The remount's uploads are slow too: it answers at once, showing the 20 files as pending, while the
  // queue uploads them in the background (before, replay uploaded them one by one before answering).
  first.emu.faults.set(parseFaultSpec('methods=PUT|POST,path=/test-bucket/f,latency=5s'));
  const second = await mount(t, { emu: first.emu, remountOf: first, flags });
  const again = await runOk('ls', ['-l', second.dir]);
  t.is(again.match(/ f\d+\.bin$/gm)?.length, 20);
  t.is((await first.emu.call('/test-bucket/f0.bin', { method: 'HEAD' })).status, 404);
  await waitUntil(async () => (await stagedRecords(second)) === 0, 'the recovered uploads', 60_000);
  first.emu.faults.set(parseFaultSpec(''));
  for (const [name, sum] of sums) t.is(md5(await object(second, name)), sum, name);
  t.regex(second.logs(), /recovered: uploaded/);
});

test('async: 200 files under 10% 429/503 and 1% lost responses: all uploaded, every md5 equal', async (t) => {
  t.timeout(180_000);
  const m = await mount(t, { flags: ['--async-uploads', '--upload-delay', '100ms'] });
  const sums = await sources(m.base, 200);
  m.emu.faults.set(
    parseFaultSpec(
      'seed=11,methods=PUT|POST,path=/test-bucket/f,rate=0.1,status=429|503; methods=PUT|POST,path=/test-bucket/f,reset=0.01',
    ),
  );
  await runOk('sh', ['-c', `cp ${path.join(m.base, 'src')}/* ${m.dir}/`], { timeoutMs: 60_000 });
  await waitUntil(async () => (await stagedRecords(m)) === 0, 'every upload to finish', 150_000);
  const faults = m.emu.faults.state();
  t.log(`${faults.injected} of ${faults.requests} upload requests got a fault`);
  t.true(faults.injected >= 10, 'the faults fired');
  m.emu.faults.set(parseFaultSpec(''));
  t.is(await m.stop(), 0);
  for (const [name, sum] of sums) t.is(md5(await object(m, name)), sum, name);
  t.notRegex(m.logs(), /ERROR/);
});

test('async: a stop whose drain times out exits 1, the queued files keep their records, the next start uploads them', async (t) => {
  t.timeout(120_000);
  const flags = ['--async-uploads', '--upload-delay', '100ms'];
  const first = await mount(t, { flags: [...flags, '--drain-timeout', '1s'] });
  const sums = await sources(first.base, 5);
  first.emu.faults.set(parseFaultSpec('methods=PUT|POST,path=/test-bucket/f,latency=30s'));
  await runOk('sh', ['-c', `cp ${path.join(first.base, 'src')}/* ${first.dir}/`], { timeoutMs: 30_000 });
  t.is(await first.stop(), 1);
  t.regex(first.logs(), /drain timed out; files still staged are kept in the cache dir/);
  t.is(await stagedRecords(first), 5);
  first.emu.faults.set(parseFaultSpec(''));
  t.is((await first.emu.call('/test-bucket/f0.bin', { method: 'HEAD' })).status, 404);

  const second = await mount(t, { emu: first.emu, remountOf: first, flags });
  await waitUntil(async () => (await stagedRecords(second)) === 0, 'the recovered uploads', 30_000);
  for (const [name, sum] of sums) t.is(md5(await object(second, name)), sum, name);
});
