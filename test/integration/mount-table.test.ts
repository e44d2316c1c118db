// How the mount looks to mount(8) and df: --read-only shows `ro`, nonempty is accepted, df -i reports
// inodes. (`mount -a` twice is in test/systemd/fstab.test.ts, with the other tests of the fstab helper.)

import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bucket, emulator } from '../helpers/emulator.js';
import { detachedSetup } from '../helpers/detached.js';
import { GCSMOUNT, mounted } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

const mountLine = async (dir: string): Promise<string> =>
  (await readFile('/proc/mounts', 'utf8')).split('\n').find((l) => l.split(' ')[1] === dir) ?? '';

test('--read-only mounts ro (shown in /proc/mounts); df -i reports inodes; nonempty mounts over files', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const s = await detachedSetup(t);
  await writeFile(path.join(s.dir, 'hidden-while-mounted'), 'x');
  const refused = await run(GCSMOUNT, ['mount', ...s.flags(emu.url), b, s.dir], { env: s.env });
  t.is(refused.code, 1);
  t.regex(refused.stderr, /is not empty: mount elsewhere, or add --nonempty/);
  const r = await run(GCSMOUNT, ['mount', ...s.flags(emu.url), '--read-only', '--nonempty', b, s.dir], {
    env: s.env,
  });
  t.is(r.code, 0, r.stderr);
  t.regex(await mountLine(s.dir), /^test-bucket \S+ fuse\.gcsmount ro,/);
  const df = await runOk('df', ['--output=itotal', s.dir]);
  t.is(Number(df.trim().split('\n')[1]), 2 ** 32 - 1);
  t.true(await mounted(s.dir));
});
