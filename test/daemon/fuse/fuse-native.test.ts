// The fuse-native that the daemon loads must be the patched source build (patches/, built at npm ci by
// scripts/build-native.sh), not the upstream prebuilt, which stores atime as mtime. The real-mount proof
// of the fix is test/integration/times.test.ts.
import test from 'ava';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

test('the loaded fuse-native addon is the patched source build', (t) => {
  const Fuse = require('fuse-native') as typeof import('fuse-native');
  t.true(Fuse.UTIMENS_FIXED, 'fuse-native loaded its prebuilt: see the build-native warning of npm ci');
  t.true(Fuse.KEEP_CACHE, 'the patched build passes the keep-page-cache flag of open replies');
  t.true(Fuse.SPIN, 'the patched build honours spinMicros (adaptive polling after each request)');
  // node-gyp-build prefers build/Release over prebuilds/: the source build is the one in use.
  t.regex(require.resolve('fuse-native/build/Release/fuse.node'), /build\/Release\/fuse\.node$/);
});
