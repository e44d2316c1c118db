// What a name given by the user sets: a long flag, an fstab `-o` key or a config-file path resolves to a
// Setter, which parses the text as its option's type and stores the value under the option-table flag(s)
// it means. Our own rows and gcsfuse's spellings (gcsfuse-names.ts) resolve the same way, so the command
// line, fstab and the config file cannot disagree about a name or a value syntax.

import { GCSFUSE_NAMES, type GcsfuseConversion, type GcsfuseName } from './gcsfuse-names.js';
import { OPTIONS, type OptionSpec } from './options.js';
import {
  ConfigError,
  parseBoolean,
  parseDuration,
  parseInteger,
  parseMode,
  parseNumber,
  parseSize,
} from './values.js';

export type Value = string | number | boolean;
/** Parsed values by option-table flag. */
export type Values = Map<string, Value>;

export interface Setter {
  /** How the user named it, for messages: `--custom-endpoint`. */
  readonly label: string;
  /** A bare flag or `-o key` without a value means true. */
  readonly boolean: boolean;
  apply(text: string, into: Values): void;
}

const byFlag = new Map(OPTIONS.map((o) => [o.flag, o]));

export function specOf(flag: string): OptionSpec {
  const spec = byFlag.get(flag);
  if (!spec) throw new Error(`option table has no --${flag}`);
  return spec;
}

export function parseValue(spec: OptionSpec, text: string): Value {
  switch (spec.type) {
    case 'boolean':
      return parseBoolean(spec.flag, text);
    case 'string':
      if (text === '') throw new ConfigError(`--${spec.flag} needs a value`);
      return text;
    case 'integer':
      return parseInteger(spec.flag, text);
    case 'number':
      return parseNumber(spec.flag, text);
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

const SEVERITY: Record<string, string> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  error: 'error',
  off: 'off',
};

/** gcsfuse's value syntax -> the text our option parses (or the value itself). */
function convert(how: GcsfuseConversion, name: string, text: string): Value {
  switch (how) {
    case 'ttl-seconds': {
      const t = text.trim();
      if (t === '-1') return Infinity;
      if (!/^\d+$/.test(t)) {
        throw new ConfigError(`--${name}: '${text}' is not a whole number of seconds (-1: never expires)`);
      }
      return Number(t) * 1000;
    }
    case 'megabytes':
      return parseInteger(name, text) * 1024 * 1024;
    case 'log-severity': {
      const level = SEVERITY[text.trim().toLowerCase()];
      if (level === undefined) {
        throw new ConfigError(`--${name}: '${text}' is not one of ${Object.keys(SEVERITY).join(', ')}`);
      }
      return level;
    }
  }
}

function rowSetter(spec: OptionSpec, label = `--${spec.flag}`): Setter {
  return {
    label,
    boolean: spec.type === 'boolean',
    apply: (text, into) => void into.set(spec.flag, parseValue(spec, text)),
  };
}

function gcsfuseSetter(name: GcsfuseName, label: string): Setter {
  const targets = name.sets.map(specOf);
  const how = name.convert;
  return {
    label,
    boolean: how === undefined && targets.every((t) => t.type === 'boolean'),
    apply: (text, into) => {
      const converted = how === undefined ? undefined : convert(how, name.flag ?? label, text);
      for (const t of targets) {
        if (converted === undefined) into.set(t.flag, parseValue(t, text));
        else if (typeof converted === 'string') into.set(t.flag, parseValue(t, converted));
        else into.set(t.flag, converted);
      }
    },
  };
}

const flagSetters = new Map<string, Setter>();
const fstabSetters = new Map<string, Setter>();
const configSetters = new Map<string, Setter>();
for (const o of OPTIONS) {
  flagSetters.set(o.flag, rowSetter(o));
  for (const key of [o.flag, o.flag.replaceAll('-', '_'), ...(o.fstabAliases ?? [])])
    fstabSetters.set(key, rowSetter(o, key));
  // Our own rows are config-file keys too, at the top level, under their flag names.
  if (o.flag !== 'config-file') configSetters.set(o.flag, rowSetter(o, o.flag));
}
for (const n of GCSFUSE_NAMES) {
  if (n.flag !== undefined) {
    flagSetters.set(n.flag, gcsfuseSetter(n, `--${n.flag}`));
    fstabSetters.set(n.flag, gcsfuseSetter(n, n.flag));
    fstabSetters.set(n.flag.replaceAll('-', '_'), gcsfuseSetter(n, n.flag.replaceAll('-', '_')));
  }
  if (n.configKey !== undefined) configSetters.set(n.configKey, gcsfuseSetter(n, n.configKey));
}

export const setterForFlag = (name: string): Setter | undefined => flagSetters.get(name);
export const setterForFstabKey = (key: string): Setter | undefined => fstabSetters.get(key);
export const setterForConfigKey = (path: string): Setter | undefined => configSetters.get(path);

export const CONFIG_KEYS: readonly string[] = [...configSetters.keys()];

/** Config-file sections (`gcs-connection`, ...): a mapping under another key is unknown. */
export const CONFIG_SECTIONS: ReadonlySet<string> = new Set(
  [...configSetters.keys()].filter((k) => k.includes('.')).map((k) => k.slice(0, k.lastIndexOf('.'))),
);

/** Up to three known names that look like `name`, as ` (did you mean ...?)`. */
export function suggest(name: string, known: Iterable<string> = flagSetters.keys(), prefix = '--'): string {
  const head = name.split(/[-_.]/)[0];
  const close = [...known].filter(
    (f) => f.includes(name) || name.includes(f) || f.split(/[-_.]/)[0] === head,
  );
  return close.length
    ? ` (did you mean ${close
        .slice(0, 3)
        .map((c) => prefix + c)
        .join(', ')}?)`
    : '';
}
