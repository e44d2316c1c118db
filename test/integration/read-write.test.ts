import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GCSMOUNT, mount, waitUntil } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

const object = async (m: Awaited<ReturnType<typeof mount>>, key: string): Promise<Buffer> =>
  Buffer.from(await (await m.emu.call(`/test-bucket/${key}`)).arrayBuffer());

test('cp in uploads on close; cat and cp out read back byte-identical', async (t) => {
  const m = await mount(t);
  const src = path.join(tmpdir(), `gcsmount-src-${process.pid}-1`);
  const data = randomBytes(5 * 1024 * 1024 + 123);
  await writeFile(src, data);
  t.teardown(() => run('rm', ['-f', src]));
  await runOk('cp', [src, m.at('file.bin')]);
  t.true((await object(m, 'file.bin')).equals(data));
  const out = `${src}.out`;
  await runOk('cp', [m.at('file.bin'), out]);
  t.true((await readFile(out)).equals(data));
  await run('rm', ['-f', out]);
  t.is((await runOk('cat', [m.at('file.bin')], {})).length > 0, true);
});

test('an object written elsewhere reads through the mount; ranged reads with dd', async (t) => {
  const m = await mount(t);
  const data = randomBytes(3 * 1024 * 1024);
  await m.emu.call('/test-bucket/remote.bin', { method: 'PUT', body: data });
  const part = await runOk('sh', [
    '-c',
    `dd if=${m.at('remote.bin')} bs=1000 skip=1500 count=3 status=none | od -An -tx1 | tr -d ' \\n'`,
  ]);
  t.is(part, data.subarray(1_500_000, 1_503_000).toString('hex'));
});

test('page cache: a reopen of an unchanged file is served by the kernel, with no request', async (t) => {
  // No content cache in the daemon: a read that reaches it goes to the emulator.
  const m = await mount(t, { flags: ['--memory-cache-size', '0', '--disk-cache-size', '0'] });
  const first = randomBytes(256 * 1024);
  await m.emu.call('/test-bucket/kept.bin', { method: 'PUT', body: first });
  t.true((await runOk('cat', [m.at('kept.bin')], {})).length > 0);
  // Gone from the bucket, still in the stat cache: only the kernel's kept pages can answer now.
  await m.emu.store.deleteObject('test-bucket', 'kept.bin');
  const copy = path.join(m.base, 'kept.copy');
  const again = await run('cp', [m.at('kept.bin'), copy]);
  t.is(again.code, 0, again.stderr);
  t.true((await readFile(copy)).equals(first));
});

test('disk cache: random reads of a file read once are served from it, with no request', async (t) => {
  const m = await mount(t, { flags: ['--memory-cache-size', '0', '--disk-cache-size', '64M'] });
  const data = randomBytes(3 * 1024 * 1024);
  await m.emu.call('/test-bucket/big.bin', { method: 'PUT', body: data });
  const blocks = async (): Promise<number> =>
    (await readdir(m.cacheDir, { recursive: true })).filter((f) =>
      /content-blocks\/..\/[0-9a-f]{64}-/.test(f),
    ).length;
  const dropPages = (): Promise<string> =>
    runOk('dd', [`if=${m.at('big.bin')}`, 'iflag=nocache', 'count=0', 'status=none']);
  // A read cached all three blocks. (The kernel's concurrent read-ahead can reach the daemon out of order
  // and start the run past block 0, which then is never whole: read again from the daemon until it is.)
  await waitUntil(
    async () => {
      await dropPages();
      await runOk('cat', [m.at('big.bin')], {});
      await new Promise((r) => setTimeout(r, 100));
      return (await blocks()) === 3;
    },
    'three blocks on disk',
    15_000,
  );
  // Gone from the bucket and from the kernel's page cache: only the daemon's disk cache can answer.
  await m.emu.store.deleteObject('test-bucket', 'big.bin');
  await dropPages();
  for (const block of [700, 3, 511, 256]) {
    const got = await runOk('sh', [
      '-c',
      `dd if=${m.at('big.bin')} bs=4096 skip=${block} count=1 iflag=nocache status=none | od -An -tx1 | tr -d ' \\n'`,
    ]);
    t.is(got, data.subarray(block * 4096, (block + 1) * 4096).toString('hex'), `4 KiB block ${block}`);
  }
});

test('appends, writes at offsets and truncates all land in the object', async (t) => {
  const m = await mount(t);
  const f = m.at('edit.txt');
  await runOk('sh', ['-c', `printf 'hello world' > ${f}`]);
  await runOk('sh', ['-c', `printf '!!' >> ${f}`]);
  t.is((await object(m, 'edit.txt')).toString(), 'hello world!!');
  await runOk('dd', [`of=${f}`, 'bs=1', 'seek=6', 'conv=notrunc', 'status=none'], { input: 'WORLD' });
  t.is((await object(m, 'edit.txt')).toString(), 'hello WORLD!!');
  await runOk('truncate', ['-s', '5', f]);
  t.is((await object(m, 'edit.txt')).toString(), 'hello');
  await runOk('truncate', ['-s', '8', f]);
  t.deepEqual(await object(m, 'edit.txt'), Buffer.from('hello\0\0\0'));
  t.is((await runOk('stat', ['-c', '%s', f])).trim(), '8');
});

test('streaming through a pipe into and out of the mount', async (t) => {
  const m = await mount(t);
  await runOk('sh', ['-c', `seq 1 100000 > ${m.at('seq.txt')}`]);
  t.is((await runOk('sh', ['-c', `cat ${m.at('seq.txt')} | tail -1`])).trim(), '100000');
  t.is((await object(m, 'seq.txt')).toString().split('\n').length, 100001);
});

test('a concurrent writer elsewhere is never overwritten: close fails with ESTALE and the bytes are kept', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/race.txt', { method: 'PUT', body: 'original' });
  const script = `
import os, sys, urllib.request
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(fd, b'mine')
req = urllib.request.Request(sys.argv[2], data=b'theirs', method='PUT')
urllib.request.urlopen(req).read()
try:
    os.close(fd)
    print('closed')
except OSError as e:
    print('error', e.errno)
`;
  const out = await runOk('python3', ['-c', script, m.at('race.txt'), `${m.emu.url}/test-bucket/race.txt`]);
  t.is(out.trim(), 'error 116');
  t.is((await object(m, 'race.txt')).toString(), 'theirs');
  const dir = `${m.cacheDir}/*/failed-uploads`;
  t.is(await runOk('sh', ['-c', `cat $(ls -d ${dir}/* | grep -v '\\.json$')`]), 'mine');
  const record = JSON.parse(await runOk('sh', ['-c', `cat ${dir}/*.json`])) as Record<string, unknown>;
  t.like(record, { bucket: 'test-bucket', object: 'race.txt', size: 4, reason: 'conflict' });
  const list = await runOk(GCSMOUNT, ['recover', 'list', '--cache-dir', m.cacheDir]);
  t.regex(list, /^test-bucket\/race\.txt\t4\tkept\t\d+s\tconflict/m);
  t.regex(m.logs(), /changed in the bucket since it was opened: not overwritten \(ESTALE\)/);
});

test('fsync uploads before close; a later write is uploaded at close', async (t) => {
  const m = await mount(t);
  const script = `
import os, sys, urllib.request
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b'first')
os.fsync(fd)
print(urllib.request.urlopen(sys.argv[2]).read().decode())
os.write(fd, b'+second')
os.close(fd)
print(urllib.request.urlopen(sys.argv[2]).read().decode())
`;
  const out = await runOk('python3', [
    '-c',
    script,
    m.at('synced.txt'),
    `${m.emu.url}/test-bucket/synced.txt`,
  ]);
  t.deepEqual(out.trim().split('\n'), ['first', 'first+second']);
});
