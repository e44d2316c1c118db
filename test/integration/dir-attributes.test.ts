// Directory mode, owner and mtime on a real mount: stored on the `dir/` marker by mkdir -m, chmod, chown and
// touch, and shown by stat, including after a remount (nothing is kept only in memory).

import test from 'ava';
import { mount } from '../helpers/mount.js';
import { runOk } from '../helpers/tools.js';

const stat = (format: string, p: string): Promise<string> =>
  runOk('stat', ['-c', format, p]).then((s) => s.trim());

test('mkdir -m 700 and chmod 1777 show on the directory, and stay after a remount', async (t) => {
  const m = await mount(t);
  await runOk('mkdir', ['-m', '700', m.at('d')]);
  t.is(await stat('%a', m.at('d')), '700');
  await runOk('chmod', ['1777', m.at('d')]);
  t.is(await stat('%a', m.at('d')), '1777');
  t.is(
    (await m.emu.call('/test-bucket/d/', { method: 'HEAD' })).headers.get(
      'x-goog-meta-goog-reserved-posix-mode',
    ),
    '1777',
  );
  await runOk('mkdir', [m.at('plain')]);
  t.is(await stat('%a', m.at('plain')), '755');
  await m.stop();
  const again = await mount(t, { emu: m.emu });
  t.is(await stat('%a', again.at('d')), '1777');
});

test('an implicit directory shows the defaults until chmod writes a marker', async (t) => {
  const m = await mount(t);
  await m.emu.call('/test-bucket/imp/child', { method: 'PUT', body: 'x' });
  t.is(await stat('%a', m.at('imp')), '755');
  await runOk('chmod', ['750', m.at('imp')]);
  t.is(await stat('%a', m.at('imp')), '750');
  t.is((await m.emu.call('/test-bucket/imp/', { method: 'HEAD' })).status, 200);
});

(process.getuid?.() === 0 ? test : test.skip)('chown of a directory (as root) shows', async (t) => {
  const m = await mount(t);
  await runOk('mkdir', [m.at('owned')]);
  await runOk('chown', ['123:456', m.at('owned')]);
  t.is(await stat('%u:%g', m.at('owned')), '123:456');
  await runOk('touch', ['-d', '2001-02-03 04:05:06Z', m.at('owned')]);
  t.is(await stat('%Y', m.at('owned')), String(Date.UTC(2001, 1, 3, 4, 5, 6) / 1000));
});
