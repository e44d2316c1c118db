// What only a kernel shows about files being written: empty files made by real tools, and a small
// script that holds descriptors open across unlink, rename and a second open; a full cache disk.

import test from 'ava';
import { mount, type TestMount } from '../helpers/mount.js';
import { smallDisk } from '../helpers/small-disk.js';
import { run, runOk } from '../helpers/tools.js';

const object = async (m: TestMount, key: string): Promise<{ status: number; body: string }> => {
  const res = await m.emu.call(`/test-bucket/${key}`);
  return { status: res.status, body: await res.text() };
};

test('empty files: touch, : >, cp /dev/null, truncate -s 0 and O_TRUNC each store 0 bytes', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/full.txt', { method: 'PUT', body: 'old bytes' });
  await m.emu.call('/test-bucket/trunc.txt', { method: 'PUT', body: 'old bytes' });
  await m.emu.call('/test-bucket/otrunc.txt', { method: 'PUT', body: 'old bytes' });
  await runOk('sh', [
    '-c',
    `cd ${m.dir} && touch new && : > full.txt && cp /dev/null copied && truncate -s 0 trunc.txt && ` +
      `python3 -c "import os; os.close(os.open('otrunc.txt', os.O_WRONLY | os.O_CREAT | os.O_TRUNC))"`,
  ]);
  for (const name of ['new', 'full.txt', 'copied', 'trunc.txt', 'otrunc.txt']) {
    t.deepEqual(await object(m, name), { status: 200, body: '' }, name);
    t.is((await runOk('stat', ['-c', '%s', m.at(name)])).trim(), '0', name);
  }
  t.notRegex(m.logs(), /failed/);
});

// Holds descriptors open while the shell does things to the names; prints what each step saw.
const HOLDER = `
import os, sys
os.chdir(sys.argv[1])
def say(*a): print(*a, flush=True)
# rm of a file still open
fd = os.open('scratch', os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b'temp')
os.unlink('scratch')
say('unlinked', os.path.exists('scratch'), 'scratch' in os.listdir('.'))
os.write(fd, b' more')
os.lseek(fd, 0, 0)
say('read', os.read(fd, 100).decode())
os.close(fd)
# a log writer kept open across a rename
fd = os.open('app.log', os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
os.write(fd, b'one\\n')
os.rename('app.log', 'app.log.1')
os.write(fd, b'two\\n')
os.close(fd)
say('rotated', os.path.exists('app.log'))
# a second descriptor, on a new file and on an existing one
w = os.open('second', os.O_WRONLY | os.O_CREAT, 0o644)
os.write(w, b'written')
r = os.open('second', os.O_RDONLY)
say('second', os.read(r, 100).decode(), os.fstat(r).st_size, os.stat('second').st_size)
os.close(r); os.close(w)
w = os.open('existing', os.O_WRONLY)
os.write(w, b'NEW')
r = os.open('existing', os.O_RDONLY)
say('existing', os.read(r, 100).decode(), os.stat('existing').st_size)
os.close(r); os.close(w)
`;

test('descriptors held open: rm of an open file, a writer across a rename, a second descriptor', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/existing', { method: 'PUT', body: 'old content' });
  const out = (await runOk('python3', ['-c', HOLDER, m.dir])).trim().split('\n');
  t.deepEqual(out, [
    'unlinked False False',
    'read temp more',
    'rotated False',
    'second written 7 7',
    'existing NEW content 11',
  ]);
  t.is((await object(m, 'scratch')).status, 404);
  t.deepEqual(await object(m, 'app.log.1'), { status: 200, body: 'one\ntwo\n' });
  t.is((await object(m, 'app.log')).status, 404);
  t.deepEqual(await object(m, 'second'), { status: 200, body: 'written' });
  t.deepEqual(await object(m, 'existing'), { status: 200, body: 'NEW content' });
  const kept = await run('sh', ['-c', `ls ${m.cacheDir}/*/failed-uploads 2>/dev/null | wc -l`]);
  t.is(kept.stdout.trim(), '0');
});

test('a full cache disk: the cp fails, and the object it was replacing is untouched', async (t) => {
  // Past the mount's 64 MiB free-space floor, so it mounts; then filled by one large write.
  const disk = await smallDisk(t, '72m');
  if (!disk) {
    t.pass('needs root to mount a small tmpfs');
    return;
  }
  const m = await mount(t, { flags: ['--cache-dir', disk, '--disk-cache-size', '0'] });
  await m.emu.call('/test-bucket/precious', { method: 'PUT', body: 'the good version' });
  const r = await run('sh', ['-c', `head -c 120M /dev/zero > ${m.at('precious')}`]);
  t.not(r.code, 0);
  t.regex(r.stderr, /No space left on device/);
  t.deepEqual(await object(m, 'precious'), { status: 200, body: 'the good version' });
});
