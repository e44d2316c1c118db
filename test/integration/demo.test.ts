// The README's quick start runs `npm run demo`: the tutorial walk-through on a real mount. It must stay
// true, so it runs here as a user runs it (it once broke silently when the user.gcs.* names stopped
// being listed). The demo cleans up after itself, even when a step fails.

import test from 'ava';
import path from 'node:path';
import { run } from '../helpers/tools.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

test('npm run demo walks through the tutorial and exits 0', async (t) => {
  const r = await run('bash', [path.join(ROOT, 'scripts/demo.sh')], { timeoutMs: 120_000 });
  t.is(r.code, 0, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  // The last steps ran: the buckets were removed and the mount stopped.
  t.regex(r.stdout, /\$ rmdir cats-\d+ dogs-\d+ && ls -A/);
  t.regex(r.stdout, /user\.gcs\.md5="[^"]+"/);
  t.regex(r.stdout, /^retriever$/m);
});
