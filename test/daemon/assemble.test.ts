import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logger.js';
import { assemble } from '../../daemon/assemble.js';
import { parseMountArgs } from '../../daemon/config/parse-args.js';
import { FsError } from '../../daemon/posix/errors.js';
import { MemoryBackend } from '../../storage/fake/memory-backend.js';

async function mount(t: import('ava').ExecutionContext, argv: string[] = []) {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-assemble-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const backend = new MemoryBackend();
  await backend.createBucket('bkt');
  const parsed = parseMountArgs([...argv, 'bkt', '/unused']);
  if (parsed.help) throw new Error('help');
  const clock = new ManualClock();
  const cacheDir = path.join(dir, 'cache');
  const a = await assemble(backend, { ...parsed.config, cacheDir }, silentLogger, clock);
  return { fs: a.fs, backend, clock, cacheDir };
}

const absent = async (fs: { getattr(p: string): Promise<unknown> }, p: string): Promise<boolean> =>
  fs.getattr(p).then(
    () => false,
    (e: unknown) => {
      if (e instanceof FsError && e.code === 'not-found') return true;
      throw e;
    },
  );

test('a name created elsewhere shows up after --negative-cache-ttl (5 s), not the 60 s type TTL', async (t) => {
  const { fs, backend, clock } = await mount(t);
  t.true(await absent(fs, '/new.txt'));
  await backend.writeObject('bkt', 'new.txt', Buffer.from('from elsewhere'));
  await clock.advance(4000);
  t.true(await absent(fs, '/new.txt'), 'still trusted within the negative TTL');
  await clock.advance(1000);
  t.false(await absent(fs, '/new.txt'));
});

test('--metadata-cache-negative-ttl-secs 0 disables negative caching', async (t) => {
  const { fs, backend } = await mount(t, ['--metadata-cache-negative-ttl-secs', '0']);
  t.true(await absent(fs, '/new.txt'));
  await backend.writeObject('bkt', 'new.txt', Buffer.from('x'));
  t.false(await absent(fs, '/new.txt'));
});

test('--temp-dir holds the staged bytes instead of the cache dir', async (t) => {
  const tempDir = await mkdtemp(path.join(tmpdir(), 'gcsmount-stage-'));
  t.teardown(() => rm(tempDir, { recursive: true, force: true }));
  const { fs, cacheDir } = await mount(t, ['--temp-dir', tempDir]);
  const fd = await fs.create('/a.txt', 0o644);
  await fs.write(fd, Buffer.from('hello'), 5, 0);
  // The staged bytes and their journal record.
  t.deepEqual((await readdir(path.join(tempDir, 'staging'))).filter((n) => !n.endsWith('.json')).length, 1);
  await t.throwsAsync(readdir(path.join(cacheDir, 'staging')), { code: 'ENOENT' });
  await fs.release(fd);
});
