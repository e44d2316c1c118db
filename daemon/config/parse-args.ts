// argv (and fstab `-o` strings) -> MountConfig, driven entirely by the option table. Accepts `--flag value`,
// `--flag=value`, `--no-flag` and bare `--flag` for booleans, `-f`, and `-o key[=value],...` (repeatable);
// generic mount(8) options that mean nothing to us (`rw`, `_netdev`, `x-systemd.*`, ...) are accepted and
// ignored so the same line works in /etc/fstab. Unknown options fail with a suggestion, never silently.

import { OPTIONS, type OptionSpec } from './options.js';
import type { MountConfig } from './mount-config.js';
import { ConfigError, parseBoolean, parseDuration, parseInteger, parseMode, parseSize } from './values.js';

type Value = string | number | boolean;

const IGNORED_MOUNT_OPTIONS = new Set([
  'rw',
  'defaults',
  'auto',
  'noauto',
  'user',
  'nouser',
  'users',
  'exec',
  'noexec',
  'suid',
  'nosuid',
  'dev',
  'nodev',
  '_netdev',
  'nofail',
  'atime',
  'noatime',
  'relatime',
  'sync',
  'async',
  'dirsync',
  // Always on: the kernel checks permissions against the attributes we show.
  'default_permissions',
]);

const byFlag = new Map(OPTIONS.map((o) => [o.flag, o]));
const byShort = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short ?? '', o]));
const byFstabKey = new Map<string, OptionSpec>();
for (const o of OPTIONS) {
  byFstabKey.set(o.flag.replaceAll('-', '_'), o);
  byFstabKey.set(o.flag, o);
  for (const alias of o.fstabAliases ?? []) byFstabKey.set(alias, o);
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function parseValue(spec: OptionSpec, text: string): Value {
  switch (spec.type) {
    case 'boolean':
      return parseBoolean(spec.flag, text);
    case 'string':
      if (text === '') throw new ConfigError(`--${spec.flag} needs a value`);
      return text;
    case 'integer':
      return parseInteger(spec.flag, text);
    case 'duration':
      return parseDuration(spec.flag, text);
    case 'size':
      return parseSize(spec.flag, text);
    case 'mode':
      return parseMode(spec.flag, text);
    case 'enum':
      if (!spec.values?.includes(text)) {
        throw new ConfigError(`--${spec.flag}: '${text}' is not one of ${(spec.values ?? []).join(', ')}`);
      }
      return text;
  }
}

function suggest(name: string): string {
  const close = OPTIONS.map((o) => o.flag).filter(
    (f) => f.includes(name) || name.includes(f) || f.split('-')[0] === name.split(/[-_]/)[0],
  );
  return close.length ? ` (did you mean --${close.slice(0, 3).join(', --')}?)` : '';
}

function applyFstabOptions(text: string, values: Map<string, Value>): void {
  for (const item of text.split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const val = eq < 0 ? undefined : item.slice(eq + 1);
    // x-*: userspace options for other tools (x-systemd.*, x-gvfs-show), never meant for the helper.
    if (IGNORED_MOUNT_OPTIONS.has(key) || key.startsWith('x-') || key.startsWith('comment='))
      continue;
    const spec = byFstabKey.get(key);
    if (!spec) throw new ConfigError(`unknown mount option '-o ${key}'${suggest(key)}`);
    if (spec.type === 'boolean')
      values.set(spec.flag, val === undefined ? true : parseBoolean(spec.flag, val));
    else if (val === undefined) throw new ConfigError(`mount option '${key}' needs a value (${key}=...)`);
    else values.set(spec.flag, parseValue(spec, val));
  }
}

export type ParsedArgs = { help: true } | { help: false; config: MountConfig };

/** Parses `gcsmount mount` arguments (flags anywhere, then BUCKET MOUNTPOINT). */
export function parseMountArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, Value>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '-o') {
      const next = argv[++i];
      if (next === undefined) throw new ConfigError('-o needs a list of options');
      applyFstabOptions(next, values);
      continue;
    }
    if (arg.startsWith('-o') && !arg.startsWith('--')) {
      applyFstabOptions(arg.slice(2), values);
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      let negated = false;
      if (!byFlag.has(name) && name.startsWith('no-') && byFlag.get(name.slice(3))?.type === 'boolean') {
        name = name.slice(3);
        negated = true;
      }
      const spec = byFlag.get(name);
      if (!spec) throw new ConfigError(`unknown option '--${name}'${suggest(name)}`);
      if (spec.type === 'boolean') {
        values.set(
          spec.flag,
          negated ? false : inline === undefined ? true : parseBoolean(spec.flag, inline),
        );
        continue;
      }
      const text = inline ?? argv[++i];
      if (text === undefined) throw new ConfigError(`--${spec.flag} needs a value`);
      values.set(spec.flag, parseValue(spec, text));
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const spec = byShort.get(arg.slice(1));
      if (!spec) throw new ConfigError(`unknown option '${arg}'`);
      values.set(spec.flag, true);
      continue;
    }
    positionals.push(arg);
  }
  if (help) return { help: true };
  if (positionals.length !== 2) {
    throw new ConfigError(
      `expected BUCKET and MOUNTPOINT, got ${positionals.length === 0 ? 'nothing' : positionals.map((p) => `'${p}'`).join(' ')}`,
    );
  }
  // The table and MountConfig describe the same keys; test/daemon/config/parse-args.test.ts holds them
  // together, so this one cast is checked.
  const record: Record<string, Value> = {};
  for (const spec of OPTIONS) {
    const v =
      values.get(spec.flag) ?? (spec.default === undefined ? undefined : parseValue(spec, spec.default));
    if (v !== undefined) record[camelKey(spec)] = v;
  }
  const [bucket, mountpoint] = positionals as [string, string];
  return { config: { ...(record as unknown as MountConfig), bucket, mountpoint }, help: false };
}

/** Config key of an option: durations get an `Ms` suffix so the unit is in the name. */
function camelKey(spec: OptionSpec): string {
  return camel(spec.flag) + (spec.type === 'duration' ? 'Ms' : '');
}

export { camelKey as configKeyOf };
