// `gcsmount unmount` against the states a crash leaves behind: a stale pid file naming a live stranger
// (never signalled; the mount is cleared with fusermount -u), a daemon that dies during the stop (the wait
// ends at once), a stop that has uploads to drain (it says what it waits for; status shows them), and a
// file held open for writing (a plain unmount refuses, naming it; --force keeps its bytes for recovery).

import test from 'ava';
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processStartTime } from '../../daemon/lifecycle/pid-file.js';
import { bucket, emulator } from '../helpers/emulator.js';
import { alive, detachedSetup } from '../helpers/detached.js';
import { GCSMOUNT, mounted, waitUntil } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

test('a stale pid file pointing at a live stranger: the stranger is never signalled', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const s = await detachedSetup(t);
  await runOk(GCSMOUNT, ['mount', ...s.flags(emu.url), b, s.dir], { env: s.env });
  const daemon = (await s.daemonPid()) ?? 0;
  // A crash: the daemon dies, its mount and pid file stay behind, and a stranger gets a pid.
  process.kill(daemon, 'SIGKILL');
  await waitUntil(async () => !(await alive(daemon)), 'the daemon to die');
  const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => stranger.kill('SIGKILL'));
  await new Promise((r) => stranger.once('spawn', r));
  let signalled = false;
  stranger.once('exit', () => (signalled = true));
  const [pidFile] = (await readdir(s.runtime)).filter((n) => n.endsWith('.pid'));
  // The stranger's real start time: only its cmdline tells it apart from the daemon.
  const start = await processStartTime(stranger.pid ?? 0);
  await writeFile(path.join(s.runtime, pidFile ?? 'x.pid'), `${stranger.pid} ${start}\n`);

  const r = await run(GCSMOUNT, ['unmount', s.dir], { env: s.env, timeoutMs: 30_000 });
  t.is(r.code, 0, r.stderr);
  t.regex(
    r.stderr,
    /the pid file is stale \(pid \d+ is not a gcsmount daemon\); unmounting with fusermount -u/,
  );
  t.false(await mounted(s.dir));
  t.false(signalled);
  t.true(await alive(stranger.pid ?? 0));
});

test('a drain says what it waits for; status shows the pending upload; a daemon that dies mid-stop ends the wait', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const s = await detachedSetup(t);
  await runOk(GCSMOUNT, ['mount', ...s.flags(emu.url), b, s.dir], { env: s.env });
  const daemon = (await s.daemonPid()) ?? 0;
  // Another process writes 3 MiB (not this one: it serves the emulator), and closes when told, in a
  // thread: the close blocks while it uploads.
  const py = `import os,sys,time,threading
fd=os.open(sys.argv[1], os.O_WRONLY|os.O_CREAT); os.write(fd, b'x'*(3<<20)); print('written', flush=True)
sys.stdin.readline(); threading.Thread(target=os.close, args=(fd,), daemon=True).start(); time.sleep(120)`;
  const holder = spawn('python3', ['-c', py, path.join(s.dir, 'big.bin')], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  t.teardown(() => holder.kill('SIGKILL'));
  await new Promise((r) => holder.stdout.once('data', r));
  // From now on every upload gets 503 (the client backs off and retries), so the drain cannot finish.
  // A latency fault would do too, but its timer would keep this process (the emulator's) alive.
  await emu.call('/_emulator/faults', { method: 'PUT', body: 'status=503,methods=PUT|POST' });
  await waitUntil(
    async () =>
      /uploads: 1 pending \(3\.0 MiB\)/.test((await run(GCSMOUNT, ['status', s.dir], { env: s.env })).stdout),
    'status to show the pending upload',
  );
  // Closed (uploading), so no longer open for writing: the unmount waits for it instead of refusing.
  holder.stdin.write('close\n');
  await waitUntil(async () => {
    const st = await run(GCSMOUNT, ['status', '--json', s.dir], { env: s.env });
    return (
      st.code === 0 && (JSON.parse(st.stdout) as { openForWriting?: string[] }).openForWriting?.length === 0
    );
  }, 'the close to begin');

  const unmount = spawn(GCSMOUNT, ['unmount', s.dir], { env: s.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  unmount.stderr.on('data', (d: Buffer) => (said += d.toString()));
  const code = new Promise<number | null>((r) => unmount.once('exit', r));
  await waitUntil(
    () => Promise.resolve(said.includes('waiting for 1 upload (3.0 MiB)')),
    'the progress line',
  );
  // The daemon dies during the stop: unmount must not wait out its 10 minutes.
  process.kill(daemon, 'SIGKILL');
  t.is(await code, 1);
  t.regex(said, /exited without unmounting; unmounting with fusermount -u/);
});

test('a file open for writing: unmount refuses (EBUSY, names it); --force keeps its bytes, uploads nothing', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await emu.call(`/${b}/notes.txt`, { method: 'PUT', body: 'the old notes' });
  const s = await detachedSetup(t);
  await runOk(GCSMOUNT, ['mount', ...s.flags(emu.url), b, s.dir], { env: s.env });
  // Another process holds the file open for writing, half-written. (Not a shell's `exec 3>f; echo >&3`:
  // the shell closes a dup of fd 3 after the echo, and that close uploads, as any close does.)
  const py = `import os,sys,time
fd=os.open(sys.argv[1], os.O_WRONLY|os.O_TRUNC); os.write(fd, b'half'); print('written', flush=True); time.sleep(60)`;
  const holder = spawn('python3', ['-c', py, path.join(s.dir, 'notes.txt')], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  t.teardown(() => holder.kill('SIGKILL'));
  await new Promise((r) => holder.stdout.once('data', r));
  await waitUntil(async () => {
    const st = await run(GCSMOUNT, ['status', '--json', s.dir], { env: s.env });
    return (
      st.code === 0 && (JSON.parse(st.stdout) as { openForWriting?: string[] }).openForWriting?.length === 1
    );
  }, 'status to show the file open for writing');

  const refused = await run(GCSMOUNT, ['unmount', s.dir], { env: s.env, timeoutMs: 30_000 });
  t.is(refused.code, 16, refused.stderr);
  t.regex(refused.stderr, new RegExp(`EBUSY: files are open for writing: gs://${b}/notes\\.txt`));
  t.true(await mounted(s.dir));
  t.true(await alive(holder.pid ?? 0));

  const forced = await run(GCSMOUNT, ['unmount', '--force', s.dir], { env: s.env, timeoutMs: 30_000 });
  t.is(forced.code, 0, forced.stderr);
  t.regex(forced.stderr, /kept for recovery/);
  t.false(await mounted(s.dir));
  t.is(await (await emu.call(`/${b}/notes.txt`)).text(), 'the old notes');
  const list = await runOk(GCSMOUNT, ['recover', 'list', '--cache-dir', s.cacheDir]);
  t.regex(list, new RegExp(`^${b}/notes\\.txt\\t4\\tkept\\t\\d+s\\topen-at-unmount`, 'm'));
  const staged = await run('sh', ['-c', `find ${s.cacheDir} -path '*staging*' -type f`]);
  t.is(staged.stdout, '');
});
