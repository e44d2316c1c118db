// argv (and fstab `-o` strings) -> MountConfig, driven entirely by the option table. Accepts `--flag value`,
// `--flag=value`, `--no-flag` and bare `--flag` for booleans, `-f`, and `-o key[=value],...` (repeatable);
// gcsfuse's flag names too (gcsfuse-names.ts). Generic mount(8) options that mean nothing to us (`rw`,
// `_netdev`, `x-systemd.*`, ...) are accepted and ignored so the same line works in /etc/fstab. Unknown
// options fail with a suggestion, never silently. Values from a --config-file (config-file.ts) come in
// under the command line's: a flag given on the command line wins.

import type { MountConfig, OptionValues } from './mount-config.js';
import { OPTIONS, type OptionSpec } from './options.js';
import { parseValue, setterForFlag, setterForFstabKey, suggest, type Value, type Values } from './setters.js';
import { ConfigError, parseBoolean } from './values.js';

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

const byShort = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short ?? '', o]));

function applyFstabOptions(text: string, values: Values): void {
  for (const item of text.split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const val = eq < 0 ? undefined : item.slice(eq + 1);
    // x-*: userspace options for other tools (x-systemd.*, x-gvfs-show), never meant for the helper.
    if (IGNORED_MOUNT_OPTIONS.has(key) || key.startsWith('x-') || key.startsWith('comment=')) continue;
    const setter = setterForFstabKey(key);
    if (!setter) throw new ConfigError(`unknown mount option '-o ${key}'${suggest(key)}`);
    if (val !== undefined) setter.apply(val, values);
    else if (setter.boolean) setter.apply('true', values);
    else throw new ConfigError(`mount option '${key}' needs a value (${key}=...)`);
  }
}

/** The command line before defaults and the config file: what the user typed, by option-table flag. */
export type ScannedArgs =
  { help: true } | { help: false; values: Values; positionals: [bucket: string, mountpoint: string] };

export function scanMountArgs(argv: readonly string[]): ScannedArgs {
  const values: Values = new Map();
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
      if (!setterForFlag(name) && name.startsWith('no-') && setterForFlag(name.slice(3))?.boolean === true) {
        name = name.slice(3);
        negated = true;
      }
      const setter = setterForFlag(name);
      if (!setter) throw new ConfigError(`unknown option '--${name}'${suggest(name)}`);
      if (setter.boolean) {
        setter.apply(negated ? 'false' : (inline ?? 'true'), values);
        continue;
      }
      const text = inline ?? argv[++i];
      if (text === undefined) throw new ConfigError(`${setter.label} needs a value`);
      setter.apply(text, values);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const spec = byShort.get(arg.slice(1));
      if (!spec) throw new ConfigError(`unknown option '${arg}'`);
      values.set(spec.flag, parseBoolean(spec.flag, 'true'));
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
  return { help: false, values, positionals: positionals as [string, string] };
}

/** Defaults, then the config file's values, then the command line's. */
export function buildMountConfig(
  scanned: Extract<ScannedArgs, { help: false }>,
  fromFile: Values = new Map(),
): MountConfig {
  const record: Record<string, Value> = {};
  for (const spec of OPTIONS) {
    const v =
      scanned.values.get(spec.flag) ??
      fromFile.get(spec.flag) ??
      (spec.default === undefined ? undefined : parseValue(spec, spec.default));
    if (v !== undefined) record[configKeyOf(spec)] = v;
  }
  const [bucket, mountpoint] = scanned.positionals;
  // MountConfig is derived from the same rows with the same key rule (mount-config.ts KeyOf), and each
  // value was parsed by its row's type, so this one cast restates what the loop did.
  return { ...(record as OptionValues), bucket, mountpoint };
}

export type ParsedArgs = { help: true } | { help: false; config: MountConfig };

/** Parses `gcsmount mount` arguments (flags anywhere, then BUCKET MOUNTPOINT), without a config file. */
export function parseMountArgs(argv: readonly string[]): ParsedArgs {
  const scanned = scanMountArgs(argv);
  return scanned.help ? { help: true } : { help: false, config: buildMountConfig(scanned) };
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Config key of an option: durations get an `Ms` suffix so the unit is in the name. */
export function configKeyOf(spec: OptionSpec): string {
  return camel(spec.flag) + (spec.type === 'duration' ? 'Ms' : '');
}
