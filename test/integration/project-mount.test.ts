// A whole project mounted: buckets are the top-level directories (mkdir creates one, rmdir deletes an
// empty one).

import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GCSMOUNT, mount } from '../helpers/mount.js';
import { run, runOk } from '../helpers/tools.js';

test('ls lists buckets; mkdir creates one; cp across buckets; rmdir refuses a full bucket and deletes an empty one', async (t) => {
  const m = await mount(t, { bucket: '_', buckets: ['cats-1', 'dogs-1'] });
  t.deepEqual((await runOk('ls', [m.dir])).split('\n').filter(Boolean), ['cats-1', 'dogs-1']);
  await runOk('mkdir', [m.at('birds-1')]);
  t.is((await m.emu.call('/birds-1', { method: 'HEAD' })).status, 200);
  await runOk('sh', ['-c', `printf 'Timmy fell down the well!' > ${m.at('dogs-1', 'collie.txt')}`]);
  await runOk('cp', [m.at('dogs-1', 'collie.txt'), m.at('cats-1', 'collie.txt')]);
  t.is(await (await m.emu.call('/cats-1/collie.txt')).text(), 'Timmy fell down the well!');
  const full = await run('rmdir', [m.at('cats-1')]);
  t.regex(full.stderr, /not empty/i);
  await runOk('rmdir', [m.at('birds-1')]);
  t.is((await m.emu.call('/birds-1', { method: 'HEAD' })).status, 404);
  t.regex((await run('mkdir', [m.at('Bad_Name')])).stderr, /Invalid argument/);
});

test('mount errors: a missing bucket, a busy or missing mountpoint, bad flags — each a clear message and status', async (t) => {
  const m = await mount(t, { bucket: '_' });
  const fresh = await mkdtemp(path.join(tmpdir(), 'gcsmount-mp-'));
  t.teardown(() => rm(fresh, { recursive: true, force: true }));
  const gcsmount = (...args: string[]) =>
    run(GCSMOUNT, [
      'mount',
      '--endpoint',
      m.emu.url,
      '--anonymous',
      '--cache-dir',
      path.join(fresh, 'c'),
      ...args,
    ]);
  const missing = await gcsmount('no-such-bucket', fresh);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no such bucket: no-such-bucket/);
  const busy = await gcsmount('_', m.dir);
  t.is(busy.code, 1);
  t.regex(busy.stderr, /is busy/);
  const nowhere = await gcsmount('_', path.join(fresh, 'nope'));
  t.regex(nowhere.stderr, /does not exist/);
  const bad = await gcsmount('--stat-cache-ttl', 'soon', '_', fresh);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /stat-cache-ttl/);
});
