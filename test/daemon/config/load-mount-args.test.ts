import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadMountArgs } from '../../../daemon/config/load-mount-args.js';
import type { MountConfig } from '../../../daemon/config/mount-config.js';

async function withFile(text: string, run: (file: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-config-'));
  try {
    const file = path.join(dir, 'gcsmount.yaml');
    await writeFile(file, text);
    await run(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function load(argv: string[]): Promise<MountConfig> {
  const r = await loadMountArgs(argv);
  if (r.help) throw new Error('unexpected help');
  return r.config;
}

test('--config-file values sit between the defaults and the command line', async (t) => {
  await withFile('metadata-cache:\n  ttl-secs: 30\nfile-system:\n  uid: 1000\n', async (file) => {
    const c = await load(['--config-file', file, '--uid', '2000', 'b-1', '/m']);
    t.is(c.statCacheTtlMs, 30_000); // from the file
    t.is(c.uid, 2000); // the command line wins
    t.is(c.gid, undefined);
    t.is(c.dirMode, 0o755); // the default
    t.is(c.configFile, file);
  });
});

test('a missing config file is a clear error', async (t) => {
  await t.throwsAsync(load(['--config-file', '/nonexistent/g.yaml', 'b-1', '/m']), {
    message: '--config-file /nonexistent/g.yaml: cannot read it (ENOENT)',
  });
});

test('--help does not read the config file', async (t) => {
  t.deepEqual(await loadMountArgs(['--config-file', '/nonexistent', '--help']), { help: true });
});
