// Streaming uploads seen from the filesystem (the harness: memory backend counting calls, a manual clock):
// a file written sequentially from 0 starts its upload once past the single-PUT limit (16 MiB) and close
// only finishes it; small files stay one PUT at close; anything but appends (a write elsewhere, truncate,
// fsync, rename), a failed stream or a conflict falls back to the whole staged file, never a wrong
// object; the staged bytes and their journal record are there all along (a crash loses nothing).

import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ManualClock } from '../../../common/clock.js';
import { isGrowing, type StorageBackend } from '../../../storage/backend.js';
import { StorageError } from '../../../storage/errors.js';
import { ForwardingBackend } from '../../../storage/forwarding-backend.js';
import { MODE_KEY } from '../../../daemon/posix/attrs.js';
import { StagedSource } from '../../../daemon/write/stream-upload.js';
import { StagingFile } from '../../../daemon/write/staging-file.js';
import { codeOf, harness, type Harness } from '../../helpers/fs-harness.js';
import { tmpdir } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';

const MiB = 1024 * 1024;

function data(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4096) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return b;
}

async function stored(h: Harness, name: string): Promise<Buffer | undefined> {
  try {
    const chunks: Buffer[] = [];
    for await (const c of (await h.memory.readObject('bkt', name)).body as AsyncIterable<Buffer>)
      chunks.push(c);
    return Buffer.concat(chunks);
  } catch {
    return undefined;
  }
}

/** Writes `bytes` in 1 MiB appends from `from`. */
async function append(h: Harness, fd: number, bytes: Buffer, from = 0): Promise<void> {
  for (let at = from; at < bytes.length; at += MiB) {
    const piece = bytes.subarray(at, Math.min(bytes.length, at + MiB));
    await h.fs.write(fd, piece, piece.length, at);
  }
}

const setup = async (t: Parameters<typeof harness>[0], wrap?: (b: StorageBackend) => StorageBackend) =>
  harness(t, { clock: new ManualClock(), ...(wrap ? { wrap } : {}) });

test('a sequential 20 MiB file uploads while written: one writeObject, started before close', async (t) => {
  const h = await setup(t);
  const bytes = data(20 * MiB);
  const fd = await h.fs.create('/big', 0o640);
  await append(h, fd, bytes.subarray(0, 16 * MiB));
  t.is(h.requests.counts().writeObject, undefined); // at the single-PUT limit: nothing yet
  await append(h, fd, bytes, 16 * MiB);
  t.is(h.requests.counts().writeObject, 1); // streaming, the total still unknown
  t.is(await stored(h, 'big'), undefined); // no object before close
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.true((await stored(h, 'big'))?.equals(bytes));
  t.is(h.requests.counts().writeObject, 1);
  t.is(h.requests.counts().updateObjectMetadata, undefined); // the metadata did not change meanwhile
  const meta = await h.memory.statObject('bkt', 'big');
  t.is(meta.metadata[MODE_KEY], '640');
});

test('a file at or under 16 MiB is one PUT at close, nothing before', async (t) => {
  const h = await setup(t);
  const bytes = data(16 * MiB, 2);
  const fd = await h.fs.create('/small', 0o644);
  await append(h, fd, bytes);
  t.is(h.requests.counts().writeObject, undefined);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.is(h.requests.counts().writeObject, 1);
  t.true((await stored(h, 'small'))?.equals(bytes));
});

test('a chmod while streaming is applied after the stream, over the generation it made', async (t) => {
  const h = await setup(t);
  const bytes = data(18 * MiB, 3);
  const fd = await h.fs.create('/mode', 0o644);
  await append(h, fd, bytes);
  await h.fs.chmod('/mode', 0o600);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.is(h.requests.counts().writeObject, 1);
  t.is(h.requests.counts().updateObjectMetadata, 1);
  t.is((await h.memory.statObject('bkt', 'mode')).metadata[MODE_KEY], '600');
  t.true((await stored(h, 'mode'))?.equals(bytes));
});

for (const [what, change] of [
  ['a write back at offset 0', async (h: Harness, fd: number) => h.fs.write(fd, Buffer.from('XYZ'), 3, 0)],
  ['a truncate', async (h: Harness, fd: number) => h.fs.ftruncate(fd, 17 * MiB)],
  ['an fsync', async (h: Harness, fd: number) => h.fs.fsync(fd)],
] as const) {
  test(`${what} while streaming cancels the stream; close uploads the staged file whole`, async (t) => {
    const h = await setup(t);
    const bytes = data(18 * MiB, 4);
    const fd = await h.fs.create('/f', 0o644);
    await append(h, fd, bytes);
    t.is(h.requests.counts().writeObject, 1);
    await change(h, fd);
    await append(h, fd, data(19 * MiB, 4), 18 * MiB); // appends after it stream no more
    await h.fs.flush(fd);
    await h.fs.release(fd);
    const expected = data(19 * MiB, 4);
    if (what === 'a write back at offset 0') expected.write('XYZ', 0);
    if (what === 'a truncate') expected.fill(0, 17 * MiB, 18 * MiB);
    t.true((await stored(h, 'f'))?.equals(expected));
    // The cancelled stream, the whole upload at close (and the fsync's own).
    t.is(h.requests.counts().writeObject, what === 'an fsync' ? 3 : 2);
  });
}

test('a rename while streaming: the old name gets nothing, the new one the whole file', async (t) => {
  const h = await setup(t);
  const bytes = data(17 * MiB + 5, 5);
  const fd = await h.fs.create('/a', 0o644);
  await append(h, fd, bytes);
  await h.fs.rename('/a', '/b');
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.is(await stored(h, 'a'), undefined);
  t.true((await stored(h, 'b'))?.equals(bytes));
});

/** Fails every streamed (growing-source) write; other calls pass. */
class FailStreams extends ForwardingBackend {
  failed = 0;
  override writeObject(
    ...a: Parameters<StorageBackend['writeObject']>
  ): ReturnType<StorageBackend['writeObject']> {
    if (isGrowing(a[2]) && ++this.failed > 0)
      return Promise.reject(new StorageError('unavailable', 'injected: stream failed'));
    return super.writeObject(...a);
  }
}

test('a stream that fails is replaced at close by a whole upload', async (t) => {
  let failing: FailStreams | undefined;
  const h = await setup(t, (b) => (failing = new FailStreams(b)));
  const bytes = data(20 * MiB, 6);
  const fd = await h.fs.create('/x', 0o644);
  await append(h, fd, bytes);
  await h.fs.flush(fd);
  await h.fs.release(fd);
  t.true((await stored(h, 'x'))?.equals(bytes));
  t.is(failing?.failed, 1);
  t.is(h.requests.counts().writeObject, 1); // the failed stream (in front of the counter) never got there
});

test('an object written elsewhere meanwhile is not replaced: ESTALE, the bytes kept', async (t) => {
  const h = await setup(t);
  const fd = await h.fs.create('/c', 0o644);
  await append(h, fd, data(17 * MiB, 7));
  await h.put('c', 'someone else');
  t.is(await codeOf(t, h.fs.flush(fd)), 'stale');
  await h.fs.release(fd);
  t.is((await stored(h, 'c'))?.toString(), 'someone else');
  t.is((await h.kept()).length, 1);
});

test('crash safety: while streaming, every byte is staged and the journal names the staged file', async (t) => {
  const h = await setup(t);
  const bytes = data(18 * MiB, 8);
  const fd = await h.fs.create('/j', 0o644);
  await append(h, fd, bytes);
  t.is(h.requests.counts().writeObject, 1);
  const dir = path.join(h.cacheDir, 'staging');
  const names = await readdir(dir);
  const record = names.find((n) => n.endsWith('.json'));
  t.truthy(record);
  const journal = JSON.parse(await readFile(path.join(dir, record ?? ''), 'utf8')) as {
    object: string;
    state: string;
    baseGeneration: string;
  };
  t.like(journal, { object: 'j', state: 'open', baseGeneration: '0' });
  t.true((await readFile(path.join(dir, (record ?? '').replace(/\.json$/, '')))).equals(bytes));
  await h.fs.flush(fd);
  await h.fs.release(fd);
});

test('StagedSource: readable up to what it was told, waits for more, ends with the total', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-staged-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const staging = await StagingFile.create(dir);
  t.teardown(() => staging.discard());
  await staging.write(Buffer.from('hello world'), 11, 0);
  const source = new StagedSource(staging);
  source.grew(5);
  t.is(source.available(), 5);
  t.is((await source.read(0, 5)).toString(), 'hello');
  let woke = false;
  const waiting = source.wait(8).then(() => (woke = true));
  await new Promise((r) => setImmediate(r));
  t.false(woke);
  source.grew(11);
  await waiting;
  t.is(source.total(), undefined);
  source.end(11);
  await source.wait(Infinity);
  t.is(source.total(), 11);
  const controller = new AbortController();
  const idle = new StagedSource(staging);
  const aborted = idle.wait(1, controller.signal);
  controller.abort();
  await t.throwsAsync(aborted);
});
