import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSocket } from 'unix-dgram';
import { createLogger, silentLogger } from '../../../common/logger.js';
import { createNotifier, formatMessage, watchdogIntervalMs } from '../../../daemon/lifecycle/sd-notify.js';

test('watchdog interval: half of WATCHDOG_USEC, only for our pid', (t) => {
  const cases: [NodeJS.ProcessEnv, number | undefined][] = [
    [{}, undefined],
    [{ WATCHDOG_USEC: '60000000' }, 30_000],
    [{ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '42' }, 30_000],
    [{ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '43' }, undefined],
    [{ WATCHDOG_USEC: '0' }, undefined],
    [{ WATCHDOG_USEC: 'x' }, undefined],
    [{ WATCHDOG_USEC: '1000' }, 1],
  ];
  for (const [env, want] of cases) t.is(watchdogIntervalMs(env, 42), want, JSON.stringify(env));
});

test('messages are KEY=value lines; a newline inside a value cannot start a new assignment', (t) => {
  t.is(formatMessage({ READY: '1', STATUS: 'a\nMAINPID=1' }), 'READY=1\nSTATUS=a MAINPID=1');
});

test('without NOTIFY_SOCKET every call is a no-op', async (t) => {
  const n = createNotifier({}, silentLogger);
  t.false(n.enabled);
  await n.ready('x');
  n.startWatchdog();
  n.close();
  t.pass();
});

test('datagrams reach a NOTIFY_SOCKET path: READY, STOPPING, EXTEND_TIMEOUT_USEC in microseconds', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-notify-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const got: string[] = [];
  let arrived = (): void => undefined;
  const socket = createSocket('unix_dgram', (buf) => {
    got.push(buf.toString());
    arrived();
  });
  socket.bind(path.join(dir, 'notify'));
  t.teardown(() => {
    socket.close();
  });
  const n = createNotifier({ NOTIFY_SOCKET: path.join(dir, 'notify') }, silentLogger);
  t.teardown(() => {
    n.close();
  });
  t.true(n.enabled);
  const three = new Promise<void>((r) => (arrived = () => got.length >= 3 && r()));
  await n.ready('serving');
  await n.stopping('draining');
  await n.extendTimeout(30_000);
  await three;
  t.deepEqual(got, [
    'READY=1\nSTATUS=serving',
    'STOPPING=1\nSTATUS=draining',
    'EXTEND_TIMEOUT_USEC=30000000',
  ]);
});

test('a send that fails is logged, not thrown', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l) });
  const n = createNotifier({ NOTIFY_SOCKET: '/nonexistent/notify' }, logger);
  t.teardown(() => {
    n.close();
  });
  await n.status('x');
  t.true(lines.some((l) => l.includes('sd_notify failed')));
});

test('an abstract socket falls back to systemd-notify, with a warning', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l) });
  const n = createNotifier({ NOTIFY_SOCKET: '@gcsmount-test-nobody-listens' }, logger);
  t.true(n.enabled);
  t.true(lines.some((l) => l.includes('abstract socket')));
  await n.status('x'); // systemd-notify fails here (no systemd): logged, never thrown
  n.close();
  t.pass();
});
