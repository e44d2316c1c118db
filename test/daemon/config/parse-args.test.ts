import test from 'ava';
import { parseMountArgs } from '../../../daemon/config/parse-args.js';
import { OPTIONS } from '../../../daemon/config/options.js';
import type { MountConfig } from '../../../daemon/config/mount-config.js';
import { ConfigError } from '../../../daemon/config/values.js';

function parse(argv: string[]): MountConfig {
  const r = parseMountArgs(argv);
  if (r.help) throw new Error('unexpected help');
  return r.config;
}

test('defaults come from the option table', (t) => {
  const c = parse(['my-bucket', '/mnt/b']);
  t.is(c.bucket, 'my-bucket');
  t.is(c.mountpoint, '/mnt/b');
  t.is(c.fileMode, 0o644);
  t.is(c.dirMode, 0o755);
  t.true(c.implicitDirs);
  t.false(c.readOnly);
  t.is(c.statCacheTtlMs, 60_000);
  t.is(c.memoryCacheSize, 256 * 1024 * 1024);
  t.is(c.opTimeoutMs, 600_000);
  t.is(c.fuseSpinUs, 100);
  t.is(c.logLevel, 'info');
  t.is(c.uid, undefined);
});

test('every table option lands on a MountConfig key of the right type', (t) => {
  // Pins the option list twice: the derived MountConfig type must have exactly these keys (typecheck), and
  // parsing must produce each with a value of this runtime type.
  const expected: Record<Exclude<keyof MountConfig, 'bucket' | 'mountpoint'>, string> = {
    endpoint: 'string',
    project: 'string',
    keyFile: 'string',
    botoConfig: 'string',
    anonymous: 'boolean',
    clientId: 'string',
    clientSecretFile: 'string',
    tokenUrl: 'string',
    onlyDir: 'string',
    readOnly: 'boolean',
    uid: 'number',
    gid: 'number',
    fileMode: 'number',
    dirMode: 'number',
    implicitDirs: 'boolean',
    renameDirLimit: 'number',
    uploadConcurrency: 'number',
    stagingMaxSize: 'number',
    asyncUploads: 'boolean',
    streamingUploads: 'boolean',
    uploadDelayMs: 'number',
    drainTimeoutMs: 'number',
    cacheDir: 'string',
    statCacheTtlMs: 'number',
    typeCacheTtlMs: 'number',
    listCacheTtlMs: 'number',
    listAhead: 'number',
    statCacheMaxEntries: 'number',
    memoryCacheSize: 'number',
    diskCacheSize: 'number',
    foreground: 'boolean',
    allowOther: 'boolean',
    opTimeoutMs: 'number',
    debugFuse: 'boolean',
    fuseSpinUs: 'number',
    logLevel: 'string',
    logFormat: 'string',
    metricsPort: 'number',
    billingProject: 'string',
    maxConnsPerHost: 'number',
    maxRetrySleepMs: 'number',
    retryMultiplier: 'number',
    negativeCacheTtlMs: 'number',
    tempDir: 'string',
    readAheadSize: 'number',
    configFile: 'string',
    logFile: 'string',
    nonempty: 'boolean',
  };
  const argv: string[] = [];
  for (const o of OPTIONS) {
    if (o.type === 'boolean') argv.push(`--${o.flag}`);
    else
      argv.push(
        `--${o.flag}`,
        o.values?.[0] ?? (o.type === 'string' ? 'x' : o.type === 'mode' ? '600' : '7'),
      );
  }
  const c = parse([...argv.filter((a) => a !== '--anonymous'), 'b-1', '/m']) as unknown as Record<
    string,
    unknown
  >;
  t.is(OPTIONS.length, Object.keys(expected).length);
  for (const [key, type] of Object.entries(expected))
    t.true(typeof c[key] === type, `${key} should be a ${type}`);
});

test('flag forms: --flag value, --flag=value, --no-flag, -f', (t) => {
  const c = parse(['--uid', '1000', '--gid=1001', '--no-implicit-dirs', '-f', 'b-1', '/m', '--read-only']);
  t.is(c.uid, 1000);
  t.is(c.gid, 1001);
  t.false(c.implicitDirs);
  t.true(c.foreground);
  t.true(c.readOnly);
});

test('fstab -o options, with generic mount options ignored', (t) => {
  const c = parse([
    'b-1',
    '/mnt/data',
    '-o',
    'rw,_netdev,allow_other,uid=1000,key_file=/etc/gcsmount/key.json,x-systemd.automount,ro,stat_cache_ttl=5m',
  ]);
  t.true(c.allowOther);
  t.is(c.uid, 1000);
  t.is(c.keyFile, '/etc/gcsmount/key.json');
  t.true(c.readOnly);
  t.is(c.statCacheTtlMs, 300_000);
});

test('-okey=value form and aliases', (t) => {
  const c = parse(['-oanonymous_access,log_severity=WARNING', 'b-1', '/m']);
  t.true(c.anonymous);
  t.is(c.logLevel, 'warn');
});

test("gcsfuse's flag names set our options", (t) => {
  const c = parse([
    '--custom-endpoint=http://127.0.0.1:9',
    '--anonymous-access',
    '--metadata-cache-ttl-secs',
    '30',
    '--metadata-cache-negative-ttl-secs',
    '0',
    '--stat-cache-capacity',
    '500',
    '--prometheus-port',
    '9101',
    '--log-severity',
    'TRACE',
    '--temp-dir',
    '/tmp/stage',
    '--billing-project',
    'payer-1',
    '--max-conns-per-host',
    '0',
    '--sequential-read-size-mb',
    '4',
    '--max-retry-sleep',
    '10s',
    '--retry-multiplier',
    '1.5',
    'b-1',
    '/m',
  ]);
  t.is(c.endpoint, 'http://127.0.0.1:9');
  t.true(c.anonymous);
  t.is(c.statCacheTtlMs, 30_000);
  t.is(c.typeCacheTtlMs, 30_000);
  t.is(c.negativeCacheTtlMs, 0);
  t.is(c.statCacheMaxEntries, 500);
  t.is(c.metricsPort, 9101);
  t.is(c.logLevel, 'debug');
  t.is(c.tempDir, '/tmp/stage');
  t.is(c.billingProject, 'payer-1');
  t.is(c.maxConnsPerHost, 0);
  t.is(c.readAheadSize, 4 * 1024 * 1024);
  t.is(c.maxRetrySleepMs, 10_000);
  t.is(c.retryMultiplier, 1.5);
});

test('--metadata-cache-ttl-secs -1 means never expires; the last of two spellings wins', (t) => {
  const c = parse(['--metadata-cache-ttl-secs', '-1', 'b-1', '/m']);
  t.is(c.statCacheTtlMs, Infinity);
  t.is(c.typeCacheTtlMs, Infinity);
  const d = parse(['--metadata-cache-ttl-secs', '-1', '--stat-cache-ttl', '5s', 'b-1', '/m']);
  t.is(d.statCacheTtlMs, 5000);
  t.is(d.typeCacheTtlMs, Infinity);
  t.throws(() => parse(['--metadata-cache-ttl-secs', '-2', 'b-1', '/m']), {
    message: /--metadata-cache-ttl-secs: '-2' is not a whole number of seconds \(-1: never expires\)/,
  });
});

test('the negative cache has its own short default TTL', (t) => {
  const c = parse(['b-1', '/m']);
  t.is(c.negativeCacheTtlMs, 5000);
  t.is(c.typeCacheTtlMs, 60_000);
});

test("gcsfuse's severities are checked like any enum", (t) => {
  t.is(parse(['--log-severity', 'off', 'b-1', '/m']).logLevel, 'off');
  t.throws(() => parse(['--log-severity', 'loud', 'b-1', '/m']), {
    message: /--log-severity: 'loud' is not one of trace, debug, info, warning, error, off/,
  });
});

test('errors are clear and suggest the right flag', (t) => {
  t.throws(() => parse(['--implicit-dir', 'b', '/m']), {
    instanceOf: ConfigError,
    message: /unknown option '--implicit-dir' \(did you mean --implicit-dirs/,
  });
  t.throws(() => parse(['-o', 'bogus=1', 'b', '/m']), {
    instanceOf: ConfigError,
    message: /unknown mount option '-o bogus'/,
  });
  t.throws(() => parse(['-o', 'uid', 'b', '/m']), { message: /'uid' needs a value/ });
  t.throws(() => parse(['--uid']), { message: /--uid needs a value/ });
  t.throws(() => parse(['only-bucket']), { message: /expected BUCKET and MOUNTPOINT, got 'only-bucket'/ });
  t.throws(() => parse(['--log-level', 'loud', 'b', '/m']), {
    message: /'loud' is not one of debug, info, warn, error/,
  });
});

test('--help wins over missing positionals', (t) => {
  t.deepEqual(parseMountArgs(['--help']), { help: true });
});
