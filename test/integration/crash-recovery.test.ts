// kill -9 of the daemon and a remount with the same cache dir: a file whose close was uploading is
// pending again when the mount answers and uploaded in the background, byte-identical, resuming the
// resumable session its journal record names (a streamed upload's, started while the file was written, or
// a close-time one's); one still open for writing is kept and named by
// `gcsmount recover list`, and `recover push` uploads it through the new mount.

import test from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFaultSpec } from '../../emulator/faults/fault-spec.js';
import { GCSMOUNT, mount, waitUntil, type TestMount } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

const object = async (m: TestMount, key: string): Promise<Buffer> =>
  Buffer.from(await (await m.emu.call(`/test-bucket/${key}`)).arrayBuffer());

async function journalSays(m: TestMount, state: string): Promise<boolean> {
  const [dir] = await readdir(m.cacheDir).catch(() => [] as string[]);
  if (dir === undefined) return false;
  const staging = path.join(m.cacheDir, dir, 'staging');
  const names = await readdir(staging).catch(() => [] as string[]);
  const out = await run('sh', ['-c', `cat ${staging}/*.json 2>/dev/null`]);
  return names.length > 0 && out.stdout.includes(`"state":"${state}"`);
}

/** The bytes the store confirmed of the resumable upload the journal records (0: none yet). */
async function confirmed(m: TestMount): Promise<number> {
  const [dir] = await readdir(m.cacheDir).catch(() => [] as string[]);
  if (dir === undefined) return 0;
  const out = await run('sh', ['-c', `cat ${path.join(m.cacheDir, dir, 'staging')}/*.json 2>/dev/null`]);
  return Number(/"persisted":(\d+)/.exec(out.stdout)?.[1] ?? 0);
}

async function crash(m: TestMount): Promise<void> {
  m.daemon.kill('SIGKILL');
  await new Promise((r) => m.daemon.once('exit', r));
  await run('fusermount', ['-u', '-z', m.dir]);
}

for (const [how, flags] of [
  ['streamed while written (the default)', []],
  ['uploaded at close (--no-streaming-uploads)', ['--no-streaming-uploads']],
] as const) {
  test(`kill -9 in the middle of a 64 MiB upload ${how}: the remount resumes its session where the store has it, byte-identical`, async (t) => {
    const first = await mount(t, { flags: [...flags] });
    const data = randomBytes(64 << 20);
    const src = path.join(first.base, 'src.bin');
    await writeFile(src, data);
    // Each chunk of the resumable upload waits, so the kill lands after the store confirmed some of them.
    first.emu.faults.set(parseFaultSpec('methods=PUT,path=/test-bucket/big.bin,latency=2s'));
    const cp = run('sh', ['-c', `cp ${src} ${first.at('big.bin')}`], { timeoutMs: 60_000 });
    // Closed (a streamed file's close waits for its last chunks) and some chunks confirmed.
    await waitUntil(
      async () => (await confirmed(first)) > 0 && (await journalSays(first, 'closing')),
      'a chunk of the closed file to be confirmed',
      40_000,
    );
    await crash(first);
    await cp;
    first.emu.faults.set(parseFaultSpec(''));
    t.is((await first.emu.call('/test-bucket/big.bin', { method: 'HEAD' })).status, 404);

    const second = await mount(t, { emu: first.emu, remountOf: first });
    // The mount answers at once and shows the pending file; the upload follows in the background.
    t.is((await stat(second.at('big.bin'))).size, data.length);
    await waitUntil(
      async () => (await first.emu.call('/test-bucket/big.bin', { method: 'HEAD' })).status === 200,
      'the recovered upload',
      60_000,
    );
    t.true((await object(second, 'big.bin')).equals(data));
    const resumed = /resumed an upload where the store had it.* from=(\d+)/.exec(second.logs());
    t.truthy(resumed, second.logs());
    t.true(Number(resumed?.[1]) >= 16 << 20);
    t.regex(second.logs(), /recovered: uploaded/);
    const [dir] = await readdir(second.cacheDir);
    await waitUntil(
      async () => (await readdir(path.join(second.cacheDir, dir ?? '', 'staging'))).length === 0,
      'the staged file to go',
      10_000,
    );
  });
}

test('kill -9 with a file open for writing: kept, listed by recover list, uploaded by recover push', async (t) => {
  const first = await mount(t);
  await first.emu.call('/test-bucket/notes.txt', { method: 'PUT', body: 'the old notes' });
  const writer = spawn(
    'python3',
    [
      '-c',
      `import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(fd, b'half-written new notes')
print('written', flush=True)
time.sleep(60)`,
      first.at('notes.txt'),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => writer.once('exit', resolve));
  t.teardown(() => writer.kill('SIGKILL'));
  await waitUntil(() => journalSays(first, 'open'), 'the write to be staged', 30_000);
  await crash(first);
  // The writer (its descriptor now on a dead mount) has nothing left to do: stop it, by its pid.
  writer.kill('SIGKILL');
  await exited;
  const second = await mount(t, { emu: first.emu, remountOf: first });
  t.is((await object(second, 'notes.txt')).toString(), 'the old notes');
  const cacheDir = second.cacheDir;
  const list = await runOk(GCSMOUNT, ['recover', 'list', '--cache-dir', cacheDir]);
  t.regex(list, /^test-bucket\/notes\.txt\t22\tkept\t\d+s\topen-at-crash/m);
  const pushed = await runOk(GCSMOUNT, [
    'recover',
    'push',
    '--cache-dir',
    cacheDir,
    '--mount',
    second.dir,
    'test-bucket/notes.txt',
  ]);
  t.regex(pushed, /pushed test-bucket\/notes.txt/);
  t.is((await object(second, 'notes.txt')).toString(), 'half-written new notes');
  t.is((await runOk(GCSMOUNT, ['recover', 'list', '--cache-dir', cacheDir])).trim(), '');
});
