import test from 'ava';
import { mkdtemp, readFile, rm, stat, writeFile, lstat, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GCSMOUNT } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

const SYSTEMD = path.resolve(import.meta.dirname, '../../systemd');
const UNIT = path.join(SYSTEMD, 'gcsmount@.service');

/** The unit's `Key=value` lines, by key (a key may repeat). */
async function keys(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const line of (await readFile(UNIT, 'utf8')).split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

test('systemd-analyze verify accepts the template unit (ExecStart pointed at this checkout)', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-unit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const text = (await readFile(UNIT, 'utf8')).replaceAll('/usr/local/bin/gcsmount', GCSMOUNT);
  await writeFile(path.join(dir, 'gcsmount@.service'), text);
  const r = await run('systemd-analyze', ['verify', path.join(dir, 'gcsmount@demo.service')], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  // Unknown keys or bad values are only warnings for verify: hold the output to silence.
  t.is(r.stderr.trim(), '');
});

test('verify does fail on a unit whose ExecStart binary is missing (the check above can fail)', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-unit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const text = (await readFile(UNIT, 'utf8')).replaceAll('/usr/local/bin/gcsmount', '/nonexistent/gcsmount');
  await writeFile(path.join(dir, 'gcsmount@.service'), text);
  const r = await run('systemd-analyze', ['verify', path.join(dir, 'gcsmount@demo.service')], { cwd: dir });
  t.not(r.code, 0);
  t.regex(r.stderr, /not executable/);
});

test('the unit is Type=notify, restarts on failure, waits for the network, leaves time to drain', async (t) => {
  const k = await keys();
  t.deepEqual(k.get('Type'), ['notify']);
  t.deepEqual(k.get('NotifyAccess'), ['main']);
  t.deepEqual(k.get('Restart'), ['on-failure']);
  t.deepEqual(k.get('After'), ['network-online.target']);
  t.deepEqual(k.get('Wants'), ['network-online.target']);
  t.deepEqual(k.get('EnvironmentFile'), ['/etc/gcsmount/%i.conf']);
  t.deepEqual(k.get('KillMode'), ['mixed']);
  t.true((k.get('WatchdogSec') ?? []).length === 1);
  // The daemon bounds a drain at 5 minutes (daemon/mount-command.ts): the stop timeout must exceed it.
  t.regex(k.get('TimeoutStopSec')?.[0] ?? '', /^([6-9]|\d\d+)min$/);
});

test('no hardening option that would hide the mount in a private namespace or hide /dev/fuse', async (t) => {
  const k = await keys();
  for (const key of [
    'PrivateMounts',
    'PrivateTmp',
    'PrivateDevices',
    'ProtectSystem',
    'ProtectHome',
    'ProtectKernelTunables',
    'ProtectKernelModules',
    'ProtectKernelLogs',
    'ProtectControlGroups',
    'ProtectClock',
    'ReadWritePaths',
    'ReadOnlyPaths',
    'InaccessiblePaths',
    'TemporaryFileSystem',
    'BindPaths',
    'BindReadOnlyPaths',
    'RootDirectory',
    'DynamicUser',
    'MountFlags',
    'MemoryDenyWriteExecute',
  ])
    t.false(k.has(key), key);
  t.deepEqual(k.get('DeviceAllow'), ['/dev/fuse rw']);
  t.regex(k.get('CapabilityBoundingSet')?.[0] ?? '', /CAP_SYS_ADMIN/);
});

test('install.sh puts the link, the helper and the unit under DESTDIR, and --uninstall removes them', async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), 'gcsmount-install-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const env = { ...process.env, DESTDIR: root };
  await runOk('bash', [path.join(SYSTEMD, 'install.sh')], { env });
  t.is(await readlink(path.join(root, 'usr/local/bin/gcsmount')), GCSMOUNT);
  t.is((await stat(path.join(root, 'sbin/mount.gcsmount'))).mode & 0o111, 0o111);
  t.is(
    await readFile(path.join(root, 'etc/systemd/system/gcsmount@.service'), 'utf8'),
    await readFile(UNIT, 'utf8'),
  );
  t.is((await stat(path.join(root, 'etc/gcsmount'))).mode & 0o777, 0o700);
  await runOk('bash', [path.join(SYSTEMD, 'install.sh'), '--uninstall'], { env });
  await t.throwsAsync(lstat(path.join(root, 'sbin/mount.gcsmount')));
  await t.throwsAsync(lstat(path.join(root, 'usr/local/bin/gcsmount')));
});

test('mount.gcsmount translates mount(8) arguments (fake mode, -v)', async (t) => {
  const r = await run(
    path.join(SYSTEMD, 'mount.gcsmount'),
    [
      'gs://my-bucket/some/dir/',
      '/mnt/data',
      '-fnv',
      '-o',
      'rw,_netdev,allow_other,uid=1000,key_file=/etc/gcsmount/key.json',
    ],
    { env: { ...process.env, GCSMOUNT_BIN: '/usr/local/bin/gcsmount' } },
  );
  t.is(r.code, 0, r.stderr);
  t.is(
    r.stderr.trim(),
    'mount.gcsmount: /usr/local/bin/gcsmount mount -o rw,_netdev,allow_other,uid=1000,key_file=/etc/gcsmount/key.json,only_dir=some/dir my-bucket /mnt/data',
  );
  const bad = await run(path.join(SYSTEMD, 'mount.gcsmount'), ['b', '/m', '-x']);
  t.is(bad.code, 1);
});
