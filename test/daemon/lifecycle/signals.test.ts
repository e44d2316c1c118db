import test from 'ava';
import { silentLogger } from '../../../common/logger.js';
import { handleSignals, type StopHooks } from '../../../daemon/lifecycle/signals.js';

// The handlers live on `process`: each test removes them, and the tests run one at a time.
test.afterEach.always(() => {
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR2'] as const) process.removeAllListeners(s);
});

function hooks(drain: StopHooks['drain']): { h: StopHooks; events: string[] } {
  const events: string[] = [];
  return {
    events,
    h: {
      drain: () => {
        events.push('drain');
        return drain();
      },
      unmount: () => {
        events.push('unmount');
        return Promise.resolve();
      },
      reload: () => events.push('reload'),
      onStop: () => events.push('onStop'),
      status: (s) => events.push(`status:${s}`),
      stopping: (s) => events.push(`stopping:${s}`),
      extendTimeout: (ms) => events.push(`extend:${ms}`),
    },
  };
}

test.serial('SIGTERM: STOPPING and more time first, then the drain, then the unmount; exit 0', async (t) => {
  const { h, events } = hooks(() => Promise.resolve({ uploaded: 2, failed: [] }));
  const done = handleSignals(h, silentLogger, 60_000);
  process.emit('SIGTERM', 'SIGTERM');
  t.is(await done, 0);
  t.deepEqual(events, [
    'onStop',
    'stopping:draining staged uploads',
    'extend:40000',
    'drain',
    'status:drained 2 file(s); unmounting',
    'unmount',
  ]);
});

test.serial('files that could not be uploaded make the exit status 1', async (t) => {
  const { h, events } = hooks(() => Promise.resolve({ uploaded: 1, failed: ['gs://b/x'] }));
  const done = handleSignals(h, silentLogger, 60_000);
  process.emit('SIGTERM', 'SIGTERM');
  t.is(await done, 1);
  t.true(events.includes('status:drained 1 file(s), 1 kept; unmounting'));
});

test.serial('a drain past its bound is abandoned: unmount anyway, exit 1', async (t) => {
  const { h, events } = hooks(() => new Promise(() => undefined));
  const done = handleSignals(h, silentLogger, 50);
  process.emit('SIGTERM', 'SIGTERM');
  t.is(await done, 1);
  t.deepEqual(events.slice(-2), ['status:drain timed out; unmounting', 'unmount']);
});

test.serial('SIGHUP reloads and does not stop', (t) => {
  const { h, events } = hooks(() => Promise.resolve({ uploaded: 0, failed: [] }));
  void handleSignals(h, silentLogger, 60_000);
  process.emit('SIGHUP', 'SIGHUP');
  t.deepEqual(events, ['reload']);
});

test.serial(
  'stopWhen (an unmount from outside) stops like a signal: drain, then the unmount hook',
  async (t) => {
    const { h, events } = hooks(() => Promise.resolve({ uploaded: 1, failed: [] }));
    const done = handleSignals(
      { ...h, stopWhen: Promise.resolve('unmounted from outside') },
      silentLogger,
      60_000,
    );
    t.is(await done, 0);
    t.deepEqual(events.slice(0, 2), ['onStop', 'stopping:draining staged uploads']);
    t.deepEqual(events.slice(-3), ['drain', 'status:drained 1 file(s); unmounting', 'unmount']);
  },
);

test.serial('SIGUSR2 (a plain gcsmount unmount) is refused while files are open for writing', async (t) => {
  const { h, events } = hooks(() => Promise.resolve({ uploaded: 0, failed: [] }));
  let open = ['gs://b/half.txt'];
  const refusals: string[][] = [];
  const done = handleSignals(
    { ...h, busy: () => open, refuse: (files) => refusals.push(files) },
    silentLogger,
    60_000,
  );
  process.emit('SIGUSR2', 'SIGUSR2');
  t.deepEqual(refusals, [['gs://b/half.txt']]);
  t.deepEqual(events, []); // still serving: no drain, no unmount
  open = [];
  process.emit('SIGUSR2', 'SIGUSR2');
  t.is(await done, 0);
  t.deepEqual(events.slice(-2), ['status:drained 0 file(s); unmounting', 'unmount']);
  t.is(refusals.length, 1);
});
