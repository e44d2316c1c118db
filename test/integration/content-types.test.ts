// Uploads carry a Content-Type from the file extension, as gsutil and gcsfuse set it, so a website
// bucket written through the mount serves HTML as HTML; a type set with setfattr survives a rewrite.

import test from 'ava';
import { mount } from '../helpers/mount.js';
import { runOk } from '../helpers/tools.js';

const typeOf = async (m: Awaited<ReturnType<typeof mount>>, key: string): Promise<string | null> =>
  (await m.emu.call(`/test-bucket/${key}`, { method: 'HEAD' })).headers.get('content-type');

test('touch index.html is stored as text/html; a set type survives a rewrite', async (t) => {
  const m = await mount(t);
  await runOk('sh', [
    '-c',
    `cd ${m.dir} && touch index.html && echo 'body{}' > site.css && echo x > notes && ` +
      `echo '{}' > data.bin && setfattr -n user.gcs.content-type -v application/json data.bin && ` +
      `echo '{"a":1}' > data.bin`,
  ]);
  t.is(await typeOf(m, 'index.html'), 'text/html');
  t.is(await typeOf(m, 'site.css'), 'text/css');
  t.is(await typeOf(m, 'notes'), 'application/octet-stream');
  t.is(await typeOf(m, 'data.bin'), 'application/json');
});
