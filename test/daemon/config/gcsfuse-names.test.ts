import test from 'ava';
import { GCSFUSE_NAMES } from '../../../daemon/config/gcsfuse-names.js';
import { OPTIONS } from '../../../daemon/config/options.js';

const flags = new Set(OPTIONS.map((o) => o.flag));

test('every gcsfuse name sets rows of the option table', (t) => {
  for (const n of GCSFUSE_NAMES) {
    t.true(n.sets.length > 0, JSON.stringify(n));
    for (const f of n.sets) t.true(flags.has(f), `${n.flag ?? n.configKey ?? '?'} sets unknown --${f}`);
    t.true(n.flag !== undefined || n.configKey !== undefined);
  }
});

test('a gcsfuse flag never shadows one of ours, and no name is listed twice', (t) => {
  const gcsfuseFlags = GCSFUSE_NAMES.flatMap((n) => (n.flag === undefined ? [] : [n.flag]));
  for (const f of gcsfuseFlags) t.false(flags.has(f), f);
  t.is(new Set(gcsfuseFlags).size, gcsfuseFlags.length);
  const keys = GCSFUSE_NAMES.flatMap((n) => (n.configKey === undefined ? [] : [n.configKey]));
  t.is(new Set(keys).size, keys.length);
  for (const k of keys) t.false(flags.has(k), `${k} would collide with a top-level key`);
});

test('the common gcsfuse flags of issue 12 are all accepted', (t) => {
  const known = new Set([...flags, ...GCSFUSE_NAMES.map((n) => n.flag)]);
  for (const f of [
    'custom-endpoint',
    'anonymous-access',
    'metadata-cache-ttl-secs',
    'metadata-cache-negative-ttl-secs',
    'stat-cache-capacity',
    'prometheus-port',
    'log-severity',
    'temp-dir',
    'billing-project',
    'max-conns-per-host',
    'sequential-read-size-mb',
    'max-retry-sleep',
    'retry-multiplier',
    'config-file',
  ])
    t.true(known.has(f), f);
});
