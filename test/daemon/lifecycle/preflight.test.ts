import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkCacheDir, checkEndpoint } from '../../../daemon/lifecycle/preflight.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

test('an endpoint that refuses connections is named with the reason', async (t) => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  await t.throwsAsync(checkEndpoint(url), { message: `cannot reach ${url} (connection refused)` });
});

test('an endpoint that accepts connections passes', async (t) => {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  await t.notThrowsAsync(checkEndpoint(`http://127.0.0.1:${(server.address() as { port: number }).port}`));
});

test('a cache dir is created, probed and left clean; one under /proc fails instead of spinning', async (t) => {
  const base = await mkdtemp(path.join(tmpdir(), 'gcsmount-pre-'));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  const dir = path.join(base, 'a', 'b');
  await checkCacheDir(dir);
  t.deepEqual(await readdir(dir), []);
  await t.throwsAsync(checkCacheDir('/proc/gcsmount-no/cache'), { message: /is not usable \(ENOENT\)/ });
});

test('a cache dir without room fails with the numbers', async (t) => {
  const base = await mkdtemp(path.join(tmpdir(), 'gcsmount-pre-'));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  await t.throwsAsync(checkCacheDir(base, Number.MAX_SAFE_INTEGER), { message: /MiB free; staged writes/ });
});
