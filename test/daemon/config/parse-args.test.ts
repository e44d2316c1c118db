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
  t.is(c.logLevel, 'info');
  t.is(c.uid, undefined);
});

test('every table option lands on a MountConfig key of the right type', (t) => {
  // Holds options.ts and mount-config.ts together: a row whose key the config does not know would be lost.
  const expected: Record<string, string> = {
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
    cacheDir: 'string',
    statCacheTtlMs: 'number',
    typeCacheTtlMs: 'number',
    listCacheTtlMs: 'number',
    statCacheMaxEntries: 'number',
    memoryCacheSize: 'number',
    diskCacheSize: 'number',
    foreground: 'boolean',
    allowOther: 'boolean',
    opTimeoutMs: 'number',
    debugFuse: 'boolean',
    logLevel: 'string',
    logFormat: 'string',
    metricsPort: 'number',
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
  const c = parse(['-oanonymous_access,log_severity=debug', 'b-1', '/m']);
  t.true(c.anonymous);
  t.is(c.logLevel, 'debug');
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
