// A gcsfuse-shaped --config-file on a real mount: its values reach the mount, a bad key stops it at once.

import test from 'ava';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GCSMOUNT, mount } from '../helpers/mount.js';
import { run } from '../helpers/tools.js';

async function configFile(t: import('ava').ExecutionContext, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-cfg-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'gcsmount.yaml');
  await writeFile(file, text);
  return file;
}

test('values from a gcsfuse-shaped config file reach the mount', async (t) => {
  const file = await configFile(
    t,
    ['file-system:', '  file-mode: 0600', 'metadata-cache:', '  negative-ttl-secs: 0', ''].join('\n'),
  );
  const m = await mount(t, { flags: ['--config-file', file] });
  await m.emu.call('/test-bucket/plain.txt', { method: 'PUT', body: 'p' });
  t.is((await stat(m.at('plain.txt'))).mode & 0o777, 0o600);
  // absent names are not cached (negative-ttl-secs: 0): a file created elsewhere shows at once
  await t.throwsAsync(stat(m.at('later.txt')), { code: 'ENOENT' });
  await m.emu.call('/test-bucket/later.txt', { method: 'PUT', body: 'l' });
  t.is((await stat(m.at('later.txt'))).size, 1);
});

test('an unknown config-file key stops the mount with FILE:LINE, exit 2', async (t) => {
  const file = await configFile(t, 'implicit-dirs: true\nmetadata-cache:\n  ttl-sec: 5\n');
  const r = await run(GCSMOUNT, ['mount', '--config-file', file, 'test-bucket', '/nonexistent-mnt']);
  t.is(r.code, 2);
  t.regex(r.stderr, new RegExp(`${file.replaceAll('.', '\\.')}:3: unknown key 'metadata-cache\\.ttl-sec'`));
});
