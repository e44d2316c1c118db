// Two mounts of one bucket in one test, standing in for two machines (two daemons, two cache dirs, one
// store): a file closed on one reads back on the other once its stat TTL has passed, and two writers of
// one object race fairly: exactly one close wins, the other gets ESTALE and its bytes are kept as a
// conflict (`gcsmount recover list`), never written over the winner.

import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { GCSMOUNT, mount, waitUntil } from '../helpers/mount.js';
import { emulator } from '../helpers/emulator.js';
import { runOk } from '../helpers/tools.js';

const SHORT_TTLS = ['--stat-cache-ttl', '1s', '--type-cache-ttl', '1s', '--negative-cache-ttl', '1s'];

test('a file closed on one mount reads back on the other after its stat TTL', async (t) => {
  const emu = await emulator(t);
  const a = await mount(t, { emu, flags: SHORT_TTLS });
  const b = await mount(t, { emu, flags: SHORT_TTLS });
  await writeFile(a.at('shared.txt'), 'first version');
  t.is(await readFile(b.at('shared.txt'), 'utf8'), 'first version');
  // B has it cached now; A replaces it; B sees the new bytes once its attributes expire.
  await writeFile(a.at('shared.txt'), 'second, longer version');
  await waitUntil(
    async () => (await readFile(b.at('shared.txt'), 'utf8')) === 'second, longer version',
    'the other mount to see the new version',
    15_000,
  );
  t.pass();
});

test('two writers of one object on two mounts: exactly one wins, the other gets ESTALE with its bytes kept', async (t) => {
  const emu = await emulator(t);
  await emu.call('/test-bucket', { method: 'PUT' });
  await emu.call('/test-bucket/report.txt', { method: 'PUT', body: 'version 0' });
  const a = await mount(t, { emu, flags: SHORT_TTLS });
  const b = await mount(t, { emu, flags: SHORT_TTLS });
  // Both open the same generation and write; A closes first, then B.
  const script = `
import os, sys
def close(fd):
    try:
        os.close(fd)
        return 'ok'
    except OSError as e:
        return 'error %d' % e.errno
fa = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
fb = os.open(sys.argv[2], os.O_WRONLY | os.O_TRUNC)
os.write(fa, b'written on A')
os.write(fb, b'written on B, longer')
print(close(fa), close(fb), sep=',')
`;
  const out = await runOk('python3', ['-c', script, a.at('report.txt'), b.at('report.txt')], {
    timeoutMs: 60_000,
  });
  t.is(out.trim(), 'ok,error 116');
  t.is(await (await emu.call('/test-bucket/report.txt')).text(), 'written on A');
  const list = await runOk(GCSMOUNT, ['recover', 'list', '--cache-dir', b.cacheDir]);
  t.regex(list, /^test-bucket\/report\.txt\t20\tkept\t\d+s\tconflict/m);
  t.is((await runOk(GCSMOUNT, ['recover', 'list', '--cache-dir', a.cacheDir])).trim(), '');
  t.regex(b.logs(), /changed in the bucket since it was opened/);
});
