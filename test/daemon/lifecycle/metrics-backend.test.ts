import test from 'ava';
import { MetricsBackend } from '../../../daemon/lifecycle/metrics-backend.js';
import { MemoryBackend } from '../../../storage/fake/memory-backend.js';

function observed(): { calls: [string, string][]; observe: (m: string, o: string, s: number) => void } {
  const calls: [string, string][] = [];
  return {
    calls,
    observe: (method, outcome, seconds) => {
      if (seconds < 0) throw new Error('negative duration');
      calls.push([method, outcome]);
    },
  };
}

test('each request is reported with its method and outcome; results and errors pass through', async (t) => {
  const o = observed();
  const b = new MetricsBackend(new MemoryBackend(), o.observe);
  await b.createBucket('bkt');
  const meta = await b.writeObject('bkt', 'a.txt', Buffer.from('abc'));
  t.is(meta.size, 3);
  t.is((await b.statObject('bkt', 'a.txt')).generation, meta.generation);
  const err = await t.throwsAsync(b.statObject('bkt', 'missing'));
  t.is((err as { code?: string } | undefined)?.code, 'not-found');
  await t.throwsAsync(b.writeObject('bkt', 'a.txt', Buffer.from('x'), { ifGenerationMatch: '0' }));
  t.deepEqual(o.calls, [
    ['createBucket', 'ok'],
    ['writeObject', 'ok'],
    ['statObject', 'ok'],
    ['statObject', 'not-found'],
    ['writeObject', 'precondition-failed'],
  ]);
});

test('a listing counts one request per page', async (t) => {
  const o = observed();
  const inner = new MemoryBackend();
  await inner.createBucket('bkt');
  for (const n of ['a', 'b', 'c']) await inner.writeObject('bkt', n, Buffer.from(n));
  const b = new MetricsBackend(inner, o.observe);
  const names: string[] = [];
  for await (const page of b.list('bkt', { pageSize: 2 })) names.push(...page.objects.map((x) => x.name));
  t.deepEqual(names, ['a', 'b', 'c']);
  t.deepEqual(
    o.calls.map(([m]) => m),
    ['listPage', 'listPage'],
  );
});

test('bytes: a read body counts what flows, an upload what it stored; a failed upload counts none', async (t) => {
  const bytes = { received: 0, sent: 0 };
  const inner = new MemoryBackend();
  await inner.createBucket('bkt');
  const b = new MetricsBackend(inner, () => undefined, (direction, n) => (bytes[direction] += n));
  await b.writeObject('bkt', 'big', Buffer.alloc(100_000, 1));
  await t.throwsAsync(b.writeObject('bkt', 'big', Buffer.from('x'), { ifGenerationMatch: '0' }));
  t.is(bytes.sent, 100_000);
  const { body } = await b.readObject('bkt', 'big', { range: { start: 0, end: 9_999 } });
  let got = 0;
  for await (const chunk of body) got += (chunk as Buffer).length;
  t.is(got, 10_000);
  t.is(bytes.received, 10_000);
  // A reader that gives up early destroys the counted stream, and with it the body underneath.
  const r = await b.readObject('bkt', 'big');
  r.body.destroy();
  await new Promise((resolve) => setImmediate(resolve));
  t.true(r.body.destroyed);
});
