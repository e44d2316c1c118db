import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  processStartTime,
  readPid,
  readPidFile,
  runtimePath,
  stillRunning,
  writePid,
} from '../../../daemon/lifecycle/pid-file.js';

// The runtime dir is read from the environment at each call: one temp dir for this file's tests.
test.before(async () => {
  process.env.GCSMOUNT_RUNTIME_DIR = await mkdtemp(path.join(tmpdir(), 'gcsmount-pid-'));
});
test.after.always(async () => {
  await rm(process.env.GCSMOUNT_RUNTIME_DIR ?? '/nonexistent', { recursive: true, force: true });
});

async function stranger(t: import('ava').ExecutionContext): Promise<number> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise((r) => child.once('spawn', r));
  return child.pid ?? 0;
}

test('a stale pid file naming a live stranger (same start time even) is not trusted', async (t) => {
  const pid = await stranger(t);
  const mountpoint = '/mnt/stranger-exact';
  const start = await processStartTime(pid);
  t.truthy(start);
  await writeFile(await runtimePath(mountpoint, '.pid'), `${pid} ${start}\n`);
  t.like(await readPidFile(mountpoint), { state: 'stale', pid, why: `pid ${pid} is not a gcsmount daemon` });
  t.is(await readPid(mountpoint), undefined);
});

test('a pid file without a start time, or with another one, is stale (a reused pid)', async (t) => {
  const pid = await stranger(t);
  await writeFile(await runtimePath('/mnt/old-format', '.pid'), `${pid}\n`);
  t.like(await readPidFile('/mnt/old-format'), { state: 'stale', pid });
  await writeFile(await runtimePath('/mnt/other-start', '.pid'), `${pid} 1\n`);
  t.like(await readPidFile('/mnt/other-start'), { state: 'stale', pid });
});

test('a pid file of a process that is gone is stale; none at all is none', async (t) => {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  await writeFile(await runtimePath('/mnt/gone', '.pid'), `${child.pid} 5\n`);
  t.like(await readPidFile('/mnt/gone'), { state: 'stale', why: `pid ${child.pid} is not running` });
  t.deepEqual(await readPidFile('/mnt/never'), { state: 'none' });
});

test('writePid records this process and its start time; the remover deletes the file', async (t) => {
  const remove = await writePid('/mnt/self');
  // The test runner is not a gcsmount daemon, so even its own record does not make it one.
  t.like(await readPidFile('/mnt/self'), { state: 'stale', pid: process.pid });
  t.true(await stillRunning({ pid: process.pid, startTime: (await processStartTime(process.pid)) ?? '' }));
  t.false(await stillRunning({ pid: process.pid, startTime: '1' }));
  await remove();
  t.deepEqual(await readPidFile('/mnt/self'), { state: 'none' });
});
