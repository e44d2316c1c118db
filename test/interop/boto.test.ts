// boto 2 (Debian's python3-boto), the library of the gsutil world, runs the whole tutorial against the
// emulator with gs:// URIs and HMAC keys from a BOTO_CONFIG file.

import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emulator } from '../helpers/emulator.js';
import { run } from '../helpers/tools.js';
import { HMAC_ID, HMAC_SECRET } from './keys.js';

const STEPS = [
  'create_bucket',
  'get_all_buckets',
  'set_contents_from_file',
  'list_and_read',
  'download_and_copy',
  'server_side_copy',
  'streaming_transfers',
  'add_email_grant',
  'set_canned_acl',
  'bucket_acl',
  'metadata',
  'custom_metadata',
  'delete',
];

test('the boto tutorial runs end to end against the emulator', async (t) => {
  const emu = await emulator(t, { hmacKeys: new Map([[HMAC_ID, HMAC_SECRET]]) });
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-boto-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = path.join(dir, 'boto.cfg');
  await writeFile(
    config,
    `[Credentials]\ngs_access_key_id = ${HMAC_ID}\ngs_secret_access_key = ${HMAC_SECRET}\ngs_host = 127.0.0.1\ngs_port = ${emu.port}\n\n[Boto]\nis_secure = False\nnum_retries = 0\n\n[GSUtil]\ndefault_project_id = test-project\n`,
  );
  const script = path.join(import.meta.dirname, 'boto_tutorial.py');
  const r = await run('/usr/bin/python3', [script, String(process.pid)], {
    env: { ...process.env, BOTO_CONFIG: config, BOTO_PATH: '' },
  });
  const done = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('OK '))
    .map((l) => l.slice(3));
  t.deepEqual(done, STEPS, r.stderr);
  t.is(r.code, 0, r.stderr);
});
