// The adaptive spin of the patched fuse-native (--fuse-spin-us): after a kernel request the daemon's event
// loop polls instead of sleeping, for that long, so the next request is seen without a thread wake-up; once
// requests stop it must sleep again. Measured as the daemon's own CPU time (/proc/PID/stat), with a long
// window so that a loaded machine cannot blur the two cases.
import test from 'ava';
import { readFile, stat } from 'node:fs/promises';
import { mount } from '../helpers/mount.js';

/** Seconds of CPU (user + system) the process has used. */
async function cpuSeconds(pid: number): Promise<number> {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function cpuDuring(pid: number, ms: number): Promise<number> {
  const before = await cpuSeconds(pid);
  await sleep(ms);
  return (await cpuSeconds(pid)) - before;
}

test('the loop polls for the spin window after a request, then sleeps again', async (t) => {
  const m = await mount(t, { flags: ['--fuse-spin-us', '1500000'] });
  const pid = m.daemon.pid ?? 0;
  await sleep(2000); // the mount's own start-up requests have ended and their window has passed
  t.true((await cpuDuring(pid, 1000)) < 0.25, 'an idle mount sleeps');
  await stat(m.at('missing')).catch(() => undefined);
  t.true((await cpuDuring(pid, 1000)) > 0.3, 'a request starts 1.5 s of polling');
  await sleep(1000);
  t.true((await cpuDuring(pid, 1000)) < 0.25, 'polling stops once the window has passed');
});

test('--fuse-spin-us 0: the loop sleeps right after a request', async (t) => {
  const m = await mount(t, { flags: ['--fuse-spin-us', '0'] });
  const pid = m.daemon.pid ?? 0;
  await sleep(500);
  await stat(m.at('missing')).catch(() => undefined);
  t.true((await cpuDuring(pid, 1000)) < 0.25);
});
