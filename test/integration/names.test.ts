// Names at the limits on a real mount: the longest object name (1024 bytes in 255-byte segments) made
// and read by real tools, names a path cannot carry (NUL, empty and dot segments) hidden, and names that
// differ only in Unicode normalization shown as the separate objects they are (docs/SEMANTICS.md "Names").

import test from 'ava';
import { mount } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

const ls = async (dir: string): Promise<string[]> =>
  (await runOk('ls', ['-1A', dir])).split('\n').filter((l) => l !== '');

test('a 1024-byte name in 255-byte segments is created by mkdir -p and echo, listed and read', async (t) => {
  const m = await mount(t);
  const dirs = ['a'.repeat(255), 'b'.repeat(255), 'c'.repeat(255), 'd'.repeat(254)];
  const file = [...dirs, 'e'].join('/');
  t.is(Buffer.byteLength(file), 1024);
  const deepest = m.at(...dirs);
  await runOk('mkdir', ['-p', deepest]);
  await runOk('sh', ['-c', `echo deep > "$1"`, 'sh', m.at(file)]);
  t.deepEqual(await ls(deepest), ['e']);
  t.is(await runOk('cat', [m.at(file)]), 'deep\n');
  t.is(await (await m.emu.call(`/test-bucket/${encodeURIComponent(file)}`)).text(), 'deep\n');
  // One byte more is refused before anything is sent.
  const longer = await run('sh', ['-c', `echo x > "$1"`, 'sh', m.at(file + 'f')]);
  t.not(longer.code, 0);
  t.regex(longer.stderr, /File name too long/);
});

test('names with NUL, empty or dot segments are hidden; NFC and NFD twins are two entries', async (t) => {
  const m = await mount(t);
  const nfc = 'caf\u00e9';
  const nfd = 'cafe\u0301';
  for (const [k, v] of [
    ['n/a\u0000b', 'nul'],
    ['n/a', 'plain a'],
    ['n/x//y', 'empty segment'],
    ['n/.', 'dot'],
    [`n/${nfc}`, 'composed'],
    [`n/${nfd}`, 'decomposed'],
    ['n/t/', 'a marker with content'],
  ] as const) {
    t.is((await m.emu.call(`/test-bucket/${encodeURIComponent(k)}`, { method: 'PUT', body: v })).status, 200);
  }
  // 'a' once: the NUL name would reach the kernel cut at the NUL, as a second 'a'.
  t.deepEqual((await ls(m.at('n'))).sort(), ['a', nfd, nfc, 't', 'x'].sort());
  t.is(await runOk('cat', [m.at('n', 'a')]), 'plain a');
  t.is(await runOk('cat', [m.at('n', nfc)]), 'composed');
  t.is(await runOk('cat', [m.at('n', nfd)]), 'decomposed');
  t.deepEqual(await ls(m.at('n', 'x')), []);
  // A trailing-'/' object with content is a directory; its bytes are not reachable through the mount.
  t.regex(await runOk('stat', ['-c', '%F %s', m.at('n', 't')]), /^directory 4096/);
});
