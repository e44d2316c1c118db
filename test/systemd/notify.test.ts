import test from 'ava';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { bucket, emulator, put } from '../helpers/emulator.js';
import { mounted } from '../helpers/mount.js';
import { notifySocket, startDaemon, within, workDir } from './daemon.js';

test('READY=1 comes once the mount answers; SIGTERM sends STOPPING=1 and drains a file still open', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'before.txt', 'here before the mount');
  const w = await workDir(t);
  const notify = notifySocket(t, w.base);
  const d = startDaemon(t, { emu, ...w, bucket: b, env: { NOTIFY_SOCKET: notify.path } });

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

  // A writer keeps its file open: its bytes are staged, not uploaded, when the stop begins. (A shell
  // `echo >&3` would not do: the builtin's dup2 dance closes a duplicate, and that close flushes.)
  const hold =
    "const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'w'); fs.writeSync(fd, 'staged-data\\n');" +
    " console.log('written'); setTimeout(() => fs.closeSync(fd), 60000);";
  const writer = spawn(process.execPath, ['-e', hold, `${w.dir}/open.txt`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  t.teardown(() => writer.kill('SIGKILL'));
  await within(10_000, 'the writer', new Promise((r) => writer.stdout.once('data', r)));
  t.is((await emu.call(`/${b}/open.txt`)).status, 404);

  d.child.kill('SIGTERM');
  const stopping = await within(10_000, 'STOPPING=1', notify.next('STOPPING'));
  t.regex(stopping.STATUS ?? '', /draining/);
  t.is(await within(20_000, `exit\n${d.logs()}`, d.exited), 0);
  const res = await emu.call(`/${b}/open.txt`);
  t.is(res.status, 200);
  t.is(await res.text(), 'staged-data\n');
  t.regex(d.logs(), /uploading staged file.*open\.txt/);
  t.false(await mounted(w.dir));
  t.true(
    notify.messages.some((m) => /^drained 1 file/.test(m.STATUS ?? '')),
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
