import test from 'ava';
import { parseMountArgs } from '../../../daemon/config/parse-args.js';
import { validateMountConfig } from '../../../daemon/config/validate.js';
import type { MountConfig } from '../../../daemon/config/mount-config.js';

function check(argv: string[]): MountConfig {
  const r = parseMountArgs(argv);
  if (r.help) throw new Error('help');
  return validateMountConfig(r.config);
}

test('valid bucket names and the project mount pass', (t) => {
  for (const b of ['abc', 'my-bucket_1', 'a.b.c', '_']) t.notThrows(() => check([b, '/m']), b);
});

test('invalid bucket names fail with the rules spelled out', (t) => {
  for (const b of ['AB', 'ab', '-abc', 'abc-', 'a..b', 'x'.repeat(64), 'has space']) {
    t.throws(() => check(['--', b, '/m']), { message: /is not a valid bucket name \(3-63/ }, b);
  }
});

test('contradictions are refused', (t) => {
  t.throws(() => check(['--anonymous', '--key-file', '/k.json', 'b-1', '/m']), { message: /contradict/ });
  t.throws(() => check(['--only-dir', 'x', '_', '/m']), { message: /--only-dir needs a single bucket/ });
  t.throws(() => check(['--only-dir', 'a/../b', 'b-1', '/m']), { message: /'\.' or '\.\.'/ });
  t.throws(() => check(['--endpoint', 'not a url', 'b-1', '/m']), { message: /is not a URL/ });
  t.throws(() => check(['--endpoint', 'ftp://x', 'b-1', '/m']), { message: /must be http/ });
  t.throws(() => check(['--op-timeout', '10ms', 'b-1', '/m']), { message: /at least 1s/ });
});

test('--list-ahead is 0 (off) to 1024 listings', (t) => {
  t.is(check(['b-1', '/m']).listAhead, 32);
  t.is(check(['--list-ahead', '0', 'b-1', '/m']).listAhead, 0);
  t.throws(() => check(['--list-ahead', '5000', 'b-1', '/m']), {
    message: /--list-ahead 5000: use 0 to 1024/,
  });
});
