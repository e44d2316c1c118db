// Interop with boto across the mount: bytes and ACL changes made on either side are seen on the other.

import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HMAC_ID, HMAC_SECRET } from '../interop/keys.js';
import { mount } from '../helpers/mount.js';
import { runOk } from '../helpers/tools.js';

test('an object written through the mount reads back identical with boto, and the reverse, ACL changes included', async (t) => {
  const m = await mount(t, { emulator: { hmacKeys: new Map([[HMAC_ID, HMAC_SECRET]]) } });
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-boto-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cfg = path.join(dir, 'boto.cfg');
  await writeFile(
    cfg,
    `[Credentials]\ngs_access_key_id = ${HMAC_ID}\ngs_secret_access_key = ${HMAC_SECRET}\ngs_host = 127.0.0.1\ngs_port = ${m.emu.port}\n[Boto]\nis_secure = False\nnum_retries = 0\n`,
  );
  const boto = (...args: string[]): Promise<string> =>
    runOk('/usr/bin/python3', [path.join(import.meta.dirname, 'boto_interop.py'), ...args], {
      env: { ...process.env, BOTO_CONFIG: cfg },
    });

  const mine = randomBytes(2 * 1024 * 1024 + 7);
  await writeFile(path.join(dir, 'mine'), mine);
  await runOk('cp', [path.join(dir, 'mine'), m.at('from-mount.bin')]);
  await boto('read', 'test-bucket', 'from-mount.bin', path.join(dir, 'read-by-boto'));
  t.true((await readFile(path.join(dir, 'read-by-boto'))).equals(mine));

  const theirs = randomBytes(1024 * 1024 + 3);
  await writeFile(path.join(dir, 'theirs'), theirs);
  await boto('write', 'test-bucket', 'from-boto.bin', path.join(dir, 'theirs'));
  await runOk('cp', [m.at('from-boto.bin'), path.join(dir, 'read-by-mount')]);
  t.true((await readFile(path.join(dir, 'read-by-mount'))).equals(theirs));

  await runOk('setfattr', [
    '-n',
    'user.gcs.acl.grant',
    '-v',
    'FULL_CONTROL user:jane@example.com',
    m.at('from-mount.bin'),
  ]);
  t.regex(await boto('acl', 'test-bucket', 'from-mount.bin'), /^FULL_CONTROL jane@example\.com$/m);
  await boto('grant', 'test-bucket', 'from-boto.bin', 'joe@example.com');
  t.regex(
    await runOk('getfattr', ['--only-values', '-n', 'user.gcs.acl', m.at('from-boto.bin')]),
    /^READ user:joe@example\.com$/m,
  );
});
