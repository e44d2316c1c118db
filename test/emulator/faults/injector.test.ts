import test from 'ava';
import { ManualClock } from '../../../common/clock.js';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { createFaultInjector } from '../../../emulator/faults/injector.js';
import { rawRequest, serveWithFaults } from './fault-server.js';

type Teardown = { teardown: (f: () => Promise<void>) => void };

async function setup(t: Teardown, spec?: string, clock?: ManualClock) {
  const injector = createFaultInjector(spec === undefined ? undefined : parseFaultSpec(spec), clock);
  const server = await serveWithFaults(injector);
  t.teardown(() => server.close());
  return { injector, ...server };
}

test('a counted rule fires exactly N times, only on matching requests', async (t) => {
  const { base, injector, stats } = await setup(t, 'status=503,times=2,methods=PUT,path=/b/o.txt');
  const put = (path: string) => fetch(base + path, { method: 'PUT', body: 'hello' });
  const other = await put('/b/other');
  t.is(other.status, 200);
  t.is((await fetch(`${base}/b/o.txt`)).status, 200);
  const first = await put('/b/o.txt');
  t.is(first.status, 503);
  t.is(first.headers.get('content-type'), 'application/xml; charset=UTF-8');
  t.regex(
    await first.text(),
    /^<\?xml version='1.0' encoding='UTF-8'\?><Error><Code>SlowDown<\/Code><Message>/,
  );
  t.is((await put('/b/o.txt')).status, 503);
  const third = await put('/b/o.txt');
  t.is(third.status, 200);
  t.is(await third.text(), '5');
  t.is(stats.completedWrites, 2);
  const state = injector.state();
  t.like(state.rules[0], { fired: 2, remaining: 0 });
  t.is(state.injected, 2);
  t.is(state.requests, 5);
});

test('status faults: code override, Retry-After, HEAD without body, InternalError and RequestTimeout', async (t) => {
  const { base } = await setup(
    t,
    'status=429,code=TooManyRequests,retry-after=3,times=1;status=500,times=1;status=408,times=1',
  );
  const limited = await fetch(`${base}/b/o`);
  t.is(limited.status, 429);
  t.is(limited.headers.get('retry-after'), '3');
  t.regex(await limited.text(), /<Code>TooManyRequests<\/Code>/);
  const internal = await fetch(`${base}/b/o`, { method: 'HEAD' });
  t.is(internal.status, 500);
  t.is(await internal.text(), '');
  const timeout = await fetch(`${base}/b/o`);
  t.is(timeout.status, 408);
  t.regex(await timeout.text(), /<Code>RequestTimeout<\/Code>/);
  t.is((await fetch(`${base}/b/o.txt`)).status, 200);
});

test('probabilistic faults replay identically for the same seed', async (t) => {
  const run = async (seed: number) => {
    const { base } = await setup(t, `seed=${seed},rate=0.3,status=500|503`);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${base}/b/o${i}`);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    return statuses;
  };
  const a = await run(42);
  t.deepEqual(await run(42), a);
  t.true(a.includes(200) && a.includes(500) && a.includes(503), a.join(','));
  t.notDeepEqual(await run(43), a);
});

test('response reset cuts the body after N bytes, once', async (t) => {
  const { port } = await setup(t, 'reset=1000@1,times=1,methods=GET');
  const cut = await rawRequest(port, 'GET', '/b/o?size=100000');
  t.is(cut.status, 200);
  t.truthy(cut.error);
  t.is(cut.body.length, 1000);
  const whole = await rawRequest(port, 'GET', '/b/o?size=100000');
  t.is(whole.error, undefined);
  t.is(whole.body.length, 100000);
});

test('response reset at 0 bytes: the handler runs but the client hears nothing (lost response)', async (t) => {
  const { port, stats } = await setup(t, 'reset=1,times=1,methods=PUT');
  const lost = await rawRequest(port, 'PUT', '/b/o', Buffer.alloc(5000));
  t.is(lost.status, undefined);
  t.truthy(lost.error);
  t.is(stats.completedWrites, 1);
});

test('request reset drops the connection after N uploaded bytes; the handler never completes', async (t) => {
  const { port, stats } = await setup(t, 'reset-request=1000,times=1');
  const res = await rawRequest(port, 'PUT', '/b/o', Buffer.alloc(256 * 1024));
  t.truthy(res.error);
  t.is(stats.completedWrites, 0);
  const ok = await rawRequest(port, 'PUT', '/b/o', Buffer.alloc(256 * 1024));
  t.is(ok.body.toString(), String(256 * 1024));
  t.is(stats.completedWrites, 1);
});

test('bandwidth cap measurably limits a download (1 MiB at 4 MiB/s takes >= 150 ms)', async (t) => {
  const { port } = await setup(t, 'bandwidth=4MiB,methods=GET');
  const started = performance.now();
  const res = await rawRequest(port, 'GET', `/b/o?size=${1024 * 1024}`);
  const elapsed = performance.now() - started;
  t.is(res.error, undefined);
  t.is(res.body.length, 1024 * 1024);
  t.true(elapsed >= 150, `took ${elapsed} ms`);
});

test('stall pauses the body after N bytes until the clock moves', async (t) => {
  const clock = new ManualClock();
  const { port } = await setup(t, 'stall=300ms,stall-after=1000,times=1', clock);
  let received = 0;
  let ended = false;
  const pending = rawRequest(port, 'GET', '/b/o?size=5000', undefined, (n) => {
    received = n;
  }).then((r) => {
    ended = true;
    return r;
  });
  for (let i = 0; i < 500 && (clock.pendingSleeps === 0 || received < 1000); i++) {
    await new Promise((r) => setTimeout(r, 2));
  }
  t.is(clock.pendingSleeps, 1);
  t.is(received, 1000);
  t.false(ended);
  await clock.advance(300);
  const res = await pending;
  t.is(res.body.length, 5000);
  t.is(res.error, undefined);
});

test('latency delays the handler by the injected clock', async (t) => {
  const clock = new ManualClock();
  const { base, stats } = await setup(t, 'latency=2s,methods=GET', clock);
  const pending = fetch(`${base}/b/o`);
  for (let i = 0; i < 500 && clock.pendingSleeps === 0; i++) await new Promise((r) => setTimeout(r, 2));
  t.is(stats.reads, 0);
  await clock.advance(2000);
  t.is((await pending).status, 200);
  t.is(stats.reads, 1);
});

test('only one rule per effect kind fires per request (first match wins the slot)', async (t) => {
  const { base, injector } = await setup(t, 'status=503,times=1;status=500,times=1');
  t.is((await fetch(`${base}/x`)).status, 503);
  t.is((await fetch(`${base}/x`)).status, 500);
  t.is((await fetch(`${base}/x`)).status, 200);
  t.deepEqual(
    injector.state().rules.map((r) => r.fired),
    [1, 1],
  );
});

test('a reset deep into a piped body still cuts at the exact byte (writes that complete synchronously)', async (t) => {
  const { port } = await setup(t, 'reset-after=50000,times=1,methods=GET');
  const cut = await rawRequest(port, 'GET', '/b/o?size=100000&chunk=1000');
  t.truthy(cut.error);
  t.is(cut.body.length, 50000);
});
