import test from 'ava';
import { createFaultInjector } from '../../../emulator/faults/injector.js';
import type { FaultState } from '../../../emulator/faults/injector.js';
import { serveWithFaults } from './fault-server.js';

async function setup(t: { teardown: (f: () => Promise<void>) => void }) {
  const injector = createFaultInjector(undefined);
  const server = await serveWithFaults(injector);
  t.teardown(() => server.close());
  return { injector, base: server.base, admin: `${server.base}/_emulator/faults` };
}

const state = async (res: Response) => (await res.json()) as FaultState;

test('admin round trip: PUT text, traffic, GET counters, PUT the structured spec back, DELETE', async (t) => {
  const { base, admin } = await setup(t);
  t.deepEqual(await state(await fetch(admin)), { spec: null, requests: 0, injected: 0, rules: [] });

  const armed = await fetch(admin, { method: 'PUT', body: 'seed=9,status=503,times=2,methods=GET' });
  t.is(armed.status, 200);
  t.like(await state(armed), { spec: { seed: 9 }, rules: [{ fired: 0, remaining: 2 }] });

  for (let i = 0; i < 3; i++) await (await fetch(`${base}/b/o`)).arrayBuffer();
  const counted = await state(await fetch(admin));
  t.like(counted, { requests: 3, injected: 2, rules: [{ fired: 2, remaining: 0 }] });

  const again = await fetch(admin, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(counted.spec),
  });
  t.like(await state(again), { requests: 0, rules: [{ fired: 0, remaining: 2 }] });
  t.is((await fetch(`${base}/b/o`)).status, 503);

  const cleared = await fetch(admin, { method: 'DELETE' });
  t.deepEqual(await state(cleared), { spec: null, requests: 0, injected: 0, rules: [] });
  t.is((await fetch(`${base}/b/o`)).status, 200);
});

test('admin rejects bad specs with the parser message and keeps the old rules', async (t) => {
  const { admin, injector } = await setup(t);
  await fetch(admin, { method: 'PUT', body: 'status=500,times=1' });
  const bad = await fetch(admin, { method: 'PUT', body: 'status=500,rate=9' });
  t.is(bad.status, 400);
  t.regex(((await bad.json()) as { error: string }).error, /^faults: rate: expected a probability/);
  const empty = await fetch(admin, { method: 'PUT', body: '' });
  t.is(empty.status, 400);
  t.is(injector.state().rules.length, 1);
  t.is((await fetch(admin, { method: 'PATCH' })).status, 405);
});

test('flat JSON with the --faults keys is accepted too', async (t) => {
  const { admin } = await setup(t);
  const res = await fetch(admin, {
    method: 'PUT',
    body: JSON.stringify({ status: [429, 503], rate: 0.5, seed: 1 }),
  });
  t.like(await state(res), {
    spec: { seed: 1, rules: [{ effect: { kind: 'status', statuses: [429, 503] }, probability: 0.5 }] },
  });
});

test('the admin route is never faulted, even by a rule matching every request', async (t) => {
  const { base, admin } = await setup(t);
  await fetch(admin, { method: 'PUT', body: 'status=503' });
  t.is((await fetch(`${base}/b/o`)).status, 503);
  t.is((await fetch(admin)).status, 200);
  t.is((await fetch(admin, { method: 'DELETE' })).status, 200);
  t.is((await fetch(`${base}/b/o`)).status, 200);
});
