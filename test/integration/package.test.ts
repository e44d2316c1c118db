// The package as a user gets it: `npm pack` ships the built code, and `npm i -g` of the tarball into a
// temporary prefix gives a `gcsmount` that reports its version and mounts. Dependencies come from the
// npm cache where it has them (--prefer-offline); fuse-native loads its bundled prebuilt binary.
// `npm test` builds first, so the pack skips the prepare script (a second build).

import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bucket, emulator } from '../helpers/emulator.js';
import { detachedSetup } from '../helpers/detached.js';
import { mounted } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

test('npm pack ships build/; npm i -g of the tarball gives a gcsmount that mounts', async (t) => {
  const tmp = await mkdtemp(path.join(tmpdir(), 'gcsmount-pkg-'));
  t.teardown(() => rm(tmp, { recursive: true, force: true }));
  const packed = await runOk(
    'sh',
    ['-c', 'cd "$1" && npm pack --ignore-scripts --silent --pack-destination "$2"', '_', ROOT, tmp],
    {
      timeoutMs: 60_000,
    },
  );
  const tarball = path.join(tmp, packed.trim().split('\n').pop() ?? '');
  const files = await runOk('tar', ['tzf', tarball]);
  t.regex(files, /^package\/build\/daemon\/cli\.js$/m);
  t.regex(files, /^package\/bin\/gcsmount$/m);
  t.regex(files, /^package\/man\/gcsmount\.1$/m);
  t.regex(files, /^package\/completion\/gcsmount\.bash$/m);
  t.notRegex(files, /^package\/test\//m);

  const prefix = path.join(tmp, 'prefix');
  const installed = await run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { timeoutMs: 150_000 },
  );
  t.is(installed.code, 0, installed.stderr);
  const bin = path.join(prefix, 'bin', 'gcsmount');
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  t.is(await runOk(bin, ['--version']), `gcsmount ${pkg.version}\n`);
  // npm links the page of package.json `man` into PREFIX/share/man; the completion is in the package.
  const page = await runOk('man', ['-l', path.join(prefix, 'share/man/man1/gcsmount.1')], {
    env: { ...process.env, MANWIDTH: '80' },
  });
  t.regex(page, new RegExp(`gcsmount ${pkg.version.replaceAll('.', '\\.')} +GCSMOUNT\\(1\\)`));
  const completion = path.join(prefix, 'lib/node_modules/gcsmount/completion/gcsmount.bash');
  t.is(
    await runOk('bash', ['-c', 'source "$1" && complete -p gcsmount', '_', completion]),
    'complete -F _gcsmount gcsmount\n',
  );

  const emu = await emulator(t);
  const b = await bucket(emu);
  const s = await detachedSetup(t);
  const r = await run(bin, ['mount', ...s.flags(emu.url), b, s.dir], { env: s.env, timeoutMs: 30_000 });
  t.is(r.code, 0, r.stderr);
  await runOk('sh', ['-c', 'echo packaged > "$1"', '_', path.join(s.dir, 'p.txt')]);
  t.is(await (await emu.call(`/${b}/p.txt`)).text(), 'packaged\n');
  t.is((await run(bin, ['unmount', s.dir], { env: s.env, timeoutMs: 30_000 })).code, 0);
  t.false(await mounted(s.dir));
});
