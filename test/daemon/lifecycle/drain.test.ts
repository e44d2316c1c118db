import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../common/logger.js';
import { assemble } from '../../../daemon/assemble.js';
import { parseMountArgs } from '../../../daemon/config/parse-args.js';
import { drainStaged } from '../../../daemon/lifecycle/drain.js';
import { MemoryBackend } from '../../../storage/fake/memory-backend.js';

const O_RDONLY = 0;
const O_WRONLY = 1;

async function setup(t: import('ava').ExecutionContext) {
  const cacheDir = await mkdtemp(path.join(tmpdir(), 'gcsmount-drain-'));
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }));
  const backend = new MemoryBackend();
  await backend.createBucket('bkt');
  const parsed = parseMountArgs(['bkt', '/unused']);
  if (parsed.help) throw new Error('help');
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l) });
  const a = await assemble(backend, { ...parsed.config, cacheDir }, logger);
  return { fs: a.fs, backend, lines, logger };
}

async function content(backend: MemoryBackend, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of (await backend.readObject('bkt', name)).body as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString();
}

test('drain uploads what no descriptor is writing, keeps open writers, and leaves nothing staged', async (t) => {
  const { fs, backend, lines, logger } = await setup(t);
  const a = await fs.create('/a.txt', 0o644);
  await fs.write(a, Buffer.from('alpha'), 5, 0);
  const b = await fs.create('/b.txt', 0o644);
  await fs.write(b, Buffer.from('beta!!'), 6, 0);
  t.deepEqual(fs.pendingUploads(), [
    { object: 'gs://bkt/a.txt', bytes: 5 },
    { object: 'gs://bkt/b.txt', bytes: 6 },
  ]);
  // a.txt is closed while the stop begins (its close uploads it); b.txt stays open.
  await fs.flush(a);
  const r = await drainStaged(fs, logger);
  t.deepEqual(r, { uploaded: 0, failed: [], kept: ['gs://bkt/b.txt'] });
  t.deepEqual(fs.pendingUploads(), []);
  t.is(await content(backend, 'a.txt'), 'alpha');
  await t.throwsAsync(content(backend, 'b.txt'));
  t.true(lines.some((l) => /kept for recovery, not uploaded object="gs:\/\/bkt\/b.txt"/.test(l)));
});

test('once closed for writes: create, open for write and truncate fail EROFS; reads still work', async (t) => {
  const { fs, backend } = await setup(t);
  await backend.writeObject('bkt', 'r.txt', Buffer.from('read me'));
  const open = await fs.create('/open.txt', 0o644);
  fs.stopWrites();
  const code = async (p: Promise<unknown>): Promise<string | undefined> =>
    ((await t.throwsAsync(p)) as { code?: string } | undefined)?.code;
  t.is(await code(fs.create('/new.txt', 0o644)), 'read-only');
  t.is(await code(fs.open('/r.txt', O_WRONLY)), 'read-only');
  t.is(await code(fs.truncate('/r.txt', 0)), 'read-only');
  const fd = await fs.open('/r.txt', O_RDONLY);
  const buf = Buffer.alloc(7);
  t.is(await fs.read(fd, buf, 7, 0), 7);
  t.is(buf.toString(), 'read me');
  // A file opened before the stop keeps taking writes until the drain keeps it (write/stop.ts).
  t.is(await fs.write(open, Buffer.from('late'), 4, 0), 4);
});
