import test from 'ava';
import { copyFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bucket, emulator } from '../helpers/emulator.js';
import { GCSMOUNT, mounted, waitUntil } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';
import { workDir } from './daemon.js';
import { detachedSetup } from '../helpers/detached.js';

const HELPER = '/sbin/mount.gcsmount';
const SOURCE = path.resolve(import.meta.dirname, '../../systemd/mount.gcsmount');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Serial: the tests of this file install and remove the one /sbin/mount.gcsmount.
test.serial(
  'mount -t gcsmount (the fstab path) mounts through the helper; umount ends the daemon',
  async (t) => {
    // Install the helper for this test only when none is installed.
    const installed = await stat(HELPER).then(
      () => true,
      () => false,
    );
    if (!installed) {
      await copyFile(SOURCE, HELPER);
      t.teardown(() => rm(HELPER, { force: true }));
    }
    const emu = await emulator(t);
    const b = await bucket(emu);
    const w = await workDir(t);
    const runtime = path.join(w.base, 'run');
    const env = {
      ...process.env,
      GCSMOUNT_BIN: GCSMOUNT,
      GCSMOUNT_RUNTIME_DIR: runtime,
      BOTO_CONFIG: '/dev/null',
    };
    const pids: number[] = [];
    t.teardown(() => {
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    });

    // The options of an fstab line: generic ones (rw, _netdev, nofail) are ignored, ours are keys.
    // The detached daemon inherits mount's stderr: a file, so that no pipe of ours stays open behind it.
    const log = path.join(w.base, 'mount.log');
    const opts = `rw,_netdev,nofail,endpoint=${emu.url},anonymous,cache_dir=${w.cacheDir},uid=1234`;
    const r = await run(
      'sh',
      ['-c', 'exec mount -t gcsmount -o "$1" "$2" "$3" 2>"$4"', '_', opts, b, w.dir, log],
      {
        env,
        timeoutMs: 20_000,
      },
    );
    t.is(r.code, 0, await readFile(log, 'utf8'));
    const line = (await readFile('/proc/mounts', 'utf8')).split('\n').find((l) => l.split(' ')[1] === w.dir);
    t.regex(line ?? '', /^test-bucket \S+ fuse\.gcsmount /);
    const [pidFile] = await readdir(runtime);
    const pid = Number((await readFile(path.join(runtime, pidFile ?? ''), 'utf8')).split(' ')[0]);
    pids.push(pid);
    t.true(alive(pid));

    await runOk('sh', ['-c', 'echo through-fstab > "$1"', '_', path.join(w.dir, 'f.txt')]);
    t.is(await (await emu.call(`/${b}/f.txt`)).text(), 'through-fstab\n');
    t.is((await stat(path.join(w.dir, 'f.txt'))).uid, 1234);

    await runOk('umount', [w.dir]);
    t.false(await mounted(w.dir));
    // The daemon notices that its mount is gone and exits by itself.
    await waitUntil(() => Promise.resolve(!alive(pid)), 'the daemon to exit after umount', 10_000);
    t.pass();
  },
);

test.serial('mount -a -T FSTAB twice: the second run sees the mount and does nothing', async (t) => {
  const installed = await stat(HELPER).then(
    () => true,
    () => false,
  );
  if (!installed) {
    await copyFile(SOURCE, HELPER);
    t.teardown(() => rm(HELPER, { force: true }));
  }
  const emu = await emulator(t);
  const b = await bucket(emu);
  const s = await detachedSetup(t);
  const fstab = path.join(s.base, 'fstab');
  // The usual fstab options are accepted: _netdev, user, x-systemd.*, default_permissions, nonempty.
  const opts = `_netdev,user,x-systemd.requires=network-online.target,default_permissions,nonempty,endpoint=${emu.url},anonymous,cache_dir=${s.cacheDir}`;
  await writeFile(fstab, `${b} ${s.dir} gcsmount ${opts} 0 0\n`);
  const first = await run('mount', ['-a', '-T', fstab], { env: s.env, timeoutMs: 30_000 });
  t.is(first.code, 0, first.stderr);
  t.regex(
    (await readFile('/proc/mounts', 'utf8')).split('\n').find((l) => l.split(' ')[1] === s.dir) ?? '',
    /^test-bucket \S+ fuse\.gcsmount rw,/,
  );
  const second = await run('mount', ['-a', '-v', '-T', fstab], { env: s.env, timeoutMs: 30_000 });
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout + second.stderr, /already mounted/);
});
