import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../../common/clock.js';
import { recoverMain } from '../../daemon/recover-command.js';
import { recordPath, type JournalRecord } from '../../daemon/write/journal.js';

/** Runs `recover list` over `cacheDir`, returning what it printed. */
async function list(cacheDir: string): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (c: string | Uint8Array) => (chunks.push(String(c)), true);
  try {
    await recoverMain(['list', '--cache-dir', cacheDir], {
      now: () => Date.parse('2026-12-02T00:01:00Z'),
      sleep: (ms, signal) => systemClock.sleep(ms, signal),
    });
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

const record = (extra: Partial<JournalRecord>): JournalRecord => ({
  v: 1,
  bucket: 'bkt',
  object: 'big.bin',
  baseGeneration: '0',
  writable: { metadata: {} },
  state: 'closing',
  size: 48,
  updatedAt: '2026-12-02T00:00:00Z',
  ...extra,
});

test.serial('list says how far the store has a staged file whose resumable upload started', async (t) => {
  const cacheDir = await mkdtemp(path.join(tmpdir(), 'recover-list-'));
  const staging = path.join(cacheDir, 'mount-1', 'staging');
  await mkdir(staging, { recursive: true });
  await writeFile(path.join(staging, 'a'), Buffer.alloc(48));
  await writeFile(
    recordPath(path.join(staging, 'a')),
    JSON.stringify(record({ session: 'http://x/s', persisted: 32 })),
  );
  await writeFile(path.join(staging, 'b'), Buffer.alloc(48));
  await writeFile(recordPath(path.join(staging, 'b')), JSON.stringify(record({ object: 'small.bin' })));
  const lines = (await list(cacheDir)).trim().split('\n').sort();
  t.is(lines.length, 2);
  t.deepEqual(lines[0]?.split('\t').slice(0, 5), [
    'bkt/big.bin',
    '48',
    'staged:closing',
    '60s',
    'pending, resumes at 32 of 48 bytes',
  ]);
  t.deepEqual(lines[1]?.split('\t').slice(0, 5), ['bkt/small.bin', '48', 'staged:closing', '60s', 'pending']);
});
