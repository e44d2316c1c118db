import test from 'ava';
import path from 'node:path';
import { bucket, emulator } from '../helpers/emulator.js';
import { GCSMOUNT, mounted } from '../helpers/mount.js';
import { run } from '../helpers/tools.js';
import { notifySocket, startDaemon, within, workDir } from './daemon.js';

test('gcsmount unmount drains: new files fail EROFS meanwhile, a closed file queued for upload is uploaded, then unmount', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const w = await workDir(t);
  const notify = notifySocket(t, w.base);
  // A closed file waits in the upload queue (--async-uploads, a long delay) when the stop begins. (A file
  // still open for writing would make a plain unmount refuse: test/integration/unmount.test.ts.)
  const d = startDaemon(t, {
    emu,
    ...w,
    bucket: b,
    env: { NOTIFY_SOCKET: notify.path },
    flags: ['--async-uploads', '--upload-delay', '10m'],
  });
  await within(20_000, `READY=1\n${d.logs()}`, notify.next('READY'));
  const closed = await run('sh', ['-c', 'printf slow-upload > "$1"', '_', path.join(w.dir, 'held.txt')]);
  t.is(closed.code, 0, closed.stderr);
  t.is((await emu.call(`/${b}/held.txt`)).status, 404, 'queued, not uploaded yet');

  // Uploads now take 1.5 s: long enough to try a new file while the drain runs.
  emu.faults.set({
    seed: 1,
    rules: [{ match: { methods: ['PUT', 'POST'] }, effect: { kind: 'latency', ms: 1500 } }],
  });
  const unmount = run(GCSMOUNT, ['unmount', w.dir], {
    env: { ...process.env, GCSMOUNT_RUNTIME_DIR: path.join(w.base, 'run') },
    timeoutMs: 30_000,
  });
  await within(10_000, 'STOPPING=1', notify.next('STOPPING'));
  const extend = await within(5_000, 'EXTEND_TIMEOUT_USEC', notify.next('EXTEND_TIMEOUT_USEC'));
  t.true(Number(extend.EXTEND_TIMEOUT_USEC) >= 30_000_000);
  const refused = await run('sh', ['-c', 'echo new > "$1"', '_', path.join(w.dir, 'new.txt')]);
  t.not(refused.code, 0);
  t.regex(refused.stderr, /Read-only file system/);

  const r = await unmount;
  t.is(r.code, 0, r.stderr);
  t.is(await within(20_000, 'exit', d.exited), 0);
  emu.faults.clear();
  t.is(await (await emu.call(`/${b}/held.txt`)).text(), 'slow-upload');
  t.is((await emu.call(`/${b}/new.txt`)).status, 404);
  t.false(await mounted(w.dir));
  t.regex(d.logs(), /uploading staged file object="gs:\/\/test-bucket\/held.txt" bytes=11/);
  t.regex(d.logs(), /drained uploaded=1 failed=0/);
});
