import test from 'ava';
import { readdir } from 'node:fs/promises';
import { bucket, emulator, put } from '../helpers/emulator.js';
import { mounted, waitUntil } from '../helpers/mount.js';
import { startDaemon, within, workDir } from './daemon.js';

test('a mount left by a SIGKILLed daemon (ENOTCONN) is cleared by the next start', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'a.txt', 'a');
  const w = await workDir(t);
  const first = startDaemon(t, { emu, ...w, bucket: b });
  await waitUntil(() => Promise.resolve(/INFO mounted/.test(first.logs())), 'the first mount');
  first.child.kill('SIGKILL');
  await within(10_000, 'the first daemon to die', first.exited);
  t.true(await mounted(w.dir));
  const err = await t.throwsAsync(within(10_000, 'readdir of the dead mount', readdir(w.dir)));
  t.is((err as NodeJS.ErrnoException | undefined)?.code, 'ENOTCONN');

  const second = startDaemon(t, { emu, ...w, bucket: b });
  try {
    await waitUntil(
      async () => (await readdir(w.dir).catch((): string[] => [])).includes('a.txt'),
      'the second mount',
    );
  } catch (err) {
    t.log(second.logs());
    throw err;
  }
  t.regex(second.logs(), /clearing a stale mount/);
  second.child.kill('SIGTERM');
  try {
    t.is(await within(20_000, 'the second daemon to stop', second.exited), 0);
  } catch (err) {
    t.log(second.logs()); // it failed this way once in a full run: what was the daemon doing?
    throw err;
  }
  t.false(await mounted(w.dir));
});

test('a live mount is not mistaken for a stale one: a second daemon on it refuses to start', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const w = await workDir(t);
  const first = startDaemon(t, { emu, ...w, bucket: b });
  await waitUntil(() => Promise.resolve(/INFO mounted/.test(first.logs())), 'the first mount');
  const second = startDaemon(t, { emu, ...w, bucket: b });
  t.is(await within(20_000, 'the second daemon to give up', second.exited), 1);
  t.regex(second.logs(), /is busy: something is already mounted there/);
  t.deepEqual(await readdir(w.dir), []);
  first.child.kill('SIGTERM');
  t.is(await within(20_000, 'the first daemon to stop', first.exited), 0);
});
