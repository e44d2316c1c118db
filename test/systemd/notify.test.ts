import test from 'ava';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { bucket, emulator, put } from '../helpers/emulator.js';
import path from 'node:path';
import { GCSMOUNT, mounted } from '../helpers/mount.js';
import { run } from '../helpers/tools.js';
import { notifySocket, startDaemon, within, workDir } from './daemon.js';

test('READY=1 comes once the mount answers; SIGTERM sends STOPPING=1 and drains: a queued file is uploaded, an open one kept', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'before.txt', 'here before the mount');
  const w = await workDir(t);
  const notify = notifySocket(t, w.base);
  const d = startDaemon(t, {
    emu,
    ...w,
    bucket: b,
    env: { NOTIFY_SOCKET: notify.path },
    flags: ['--async-uploads', '--upload-delay', '10m'],
  });

  const ready = await within(20_000, `READY=1\n${d.logs()}`, notify.next('READY'));
  // Checked the moment READY=1 arrives: the mountpoint already lists the bucket.
  t.true(await mounted(w.dir));
  t.deepEqual(await readdir(w.dir), ['before.txt']);
  t.regex(ready.STATUS ?? '', /serving gs:\/\/test-bucket/);
  const before = notify.messages.slice(0, notify.messages.indexOf(ready));
  t.true(
    before.some((m) => /^mounting/.test(m.STATUS ?? '')),
    JSON.stringify(notify.messages),
  );

  // A closed file waits in the upload queue (--async-uploads, a long delay), and a writer keeps another
  // file open, when the stop begins. The stop uploads the closed one and keeps the open one for
  // `gcsmount recover` (it may be half-written). (A shell `echo >&3` would not do for the open one: the
  // builtin's dup2 dance closes a duplicate, and that close flushes.)
  const closed = await run('sh', ['-c', 'printf "closed-data\\n" > "$1"', '_', `${w.dir}/closed.txt`]);
  t.is(closed.code, 0, closed.stderr);
  const hold =
    "const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'w'); fs.writeSync(fd, 'staged-data\\n');" +
    " console.log('written'); setTimeout(() => fs.closeSync(fd), 60000);";
  const writer = spawn(process.execPath, ['-e', hold, `${w.dir}/open.txt`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  t.teardown(() => writer.kill('SIGKILL'));
  await within(10_000, 'the writer', new Promise((r) => writer.stdout.once('data', r)));
  t.is((await emu.call(`/${b}/open.txt`)).status, 404);
  t.is((await emu.call(`/${b}/closed.txt`)).status, 404, 'queued, not uploaded yet');

  d.child.kill('SIGTERM');
  const stopping = await within(10_000, 'STOPPING=1', notify.next('STOPPING'));
  t.regex(stopping.STATUS ?? '', /draining/);
  t.is(await within(20_000, `exit\n${d.logs()}`, d.exited), 0);
  const res = await emu.call(`/${b}/closed.txt`);
  t.is(res.status, 200);
  t.is(await res.text(), 'closed-data\n');
  t.regex(d.logs(), /uploading staged file.*closed\.txt/);
  t.is((await emu.call(`/${b}/open.txt`)).status, 404, 'never uploaded half-written');
  t.regex(d.logs(), /open for writing at the stop: kept for recovery.*open\.txt/);
  const kept = await run(GCSMOUNT, ['recover', 'list', '--cache-dir', path.join(w.base, 'cache')]);
  t.regex(kept.stdout, /^test-bucket\/open\.txt\s.*open-at-unmount/m, kept.stdout + kept.stderr);
  t.false(await mounted(w.dir));
  t.true(
    notify.messages.some((m) => /^drained 1 file\(s\), 1 open for writing kept for recovery/.test(m.STATUS ?? '')),
    JSON.stringify(notify.messages),
  );
});

test('WATCHDOG=1 pings arrive at half of WATCHDOG_USEC', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const w = await workDir(t);
  const notify = notifySocket(t, w.base);
  const d = startDaemon(t, {
    emu,
    ...w,
    bucket: b,
    env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '400000' },
  });
  await within(20_000, `READY=1\n${d.logs()}`, notify.next('READY'));
  await within(5_000, 'WATCHDOG=1', notify.next('WATCHDOG'));
  d.child.kill('SIGTERM');
  t.is(await within(20_000, 'exit', d.exited), 0);
});
