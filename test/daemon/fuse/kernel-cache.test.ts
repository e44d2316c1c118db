import test from 'ava';
import { FOREVER_S, kernelCacheOptions } from '../../../daemon/fuse/kernel-cache.js';

test('the kernel keeps attributes, entries and absent names for the caches TTLs, in seconds', (t) => {
  t.deepEqual(
    kernelCacheOptions({ statCacheTtlMs: 60_000, typeCacheTtlMs: 60_000, negativeCacheTtlMs: 5000 }),
    ['attr_timeout=60', 'entry_timeout=60', 'negative_timeout=5'],
  );
  t.deepEqual(kernelCacheOptions({ statCacheTtlMs: 1500, typeCacheTtlMs: 60_000, negativeCacheTtlMs: 250 }), [
    'attr_timeout=1.5',
    'entry_timeout=1.5',
    'negative_timeout=0.25',
  ]);
});

test('an entry lasts no longer than the type cache trusts the name kind', (t) => {
  const o = kernelCacheOptions({ statCacheTtlMs: 60_000, typeCacheTtlMs: 10_000, negativeCacheTtlMs: 5000 });
  t.is(o[1], 'entry_timeout=10');
});

test('a TTL of 0 stays 0 (written out: libfuse would default to 1 s)', (t) => {
  t.deepEqual(kernelCacheOptions({ statCacheTtlMs: 0, typeCacheTtlMs: 60_000, negativeCacheTtlMs: 0 }), [
    'attr_timeout=0',
    'entry_timeout=0',
    'negative_timeout=0',
  ]);
});

test('"never expires" becomes a long finite timeout', (t) => {
  const o = kernelCacheOptions({ statCacheTtlMs: -1, typeCacheTtlMs: Infinity, negativeCacheTtlMs: -1 });
  t.deepEqual(o, [
    `attr_timeout=${FOREVER_S}`,
    `entry_timeout=${FOREVER_S}`,
    `negative_timeout=${FOREVER_S}`,
  ]);
});
