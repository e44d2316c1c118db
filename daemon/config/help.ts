// `gcsmount mount --help` and the options part of docs/CONFIGURATION.md, both rendered from the table
// (options.ts) and gcsfuse's names for its rows (gcsfuse-names.ts).

import { GCSFUSE_NAMES, type GcsfuseName } from './gcsfuse-names.js';
import { OPTIONS, type OptionSpec } from './options.js';

const GROUPS = [...new Set(OPTIONS.map((o) => o.group))];

export function placeholder(spec: OptionSpec): string {
  switch (spec.type) {
    case 'boolean':
      return '';
    case 'enum':
      return ` ${(spec.values ?? []).join('|')}`;
    case 'duration':
      return ' DURATION';
    case 'size':
      return ' SIZE';
    case 'mode':
      return ' MODE';
    case 'integer':
      return ' N';
    case 'number':
      return ' X';
    case 'string':
      return ' VALUE';
  }
}

export function fstabKeys(spec: OptionSpec): string[] {
  return [...new Set([spec.flag.replaceAll('-', '_'), ...(spec.fstabAliases ?? [])])];
}

const CONVERSION_HELP = {
  'ttl-seconds': 'whole seconds, -1: never expires',
  megabytes: 'MiB',
  'log-severity': 'trace|debug|info|warning|error|off',
} as const;

/** What a gcsfuse name means here: `sets --stat-cache-ttl and --type-cache-ttl (whole seconds, ...)`. */
export function gcsfuseMeaning(n: GcsfuseName): string {
  const sets = n.sets.map((f) => `--${f}`).join(' and ');
  return n.convert === undefined ? `same as ${sets}` : `sets ${sets} (${CONVERSION_HELP[n.convert]})`;
}

export function mountHelp(): string {
  const out = [
    'usage: gcsmount mount [options] BUCKET MOUNTPOINT',
    '',
    'Mounts BUCKET (or, with BUCKET `_`, every bucket of the project as a top-level directory) on MOUNTPOINT.',
    'Every option may also be given as `-o key[=value],...` (fstab style; keys use `_` for `-`).',
  ];
  for (const group of GROUPS) {
    out.push('', `${group}:`);
    for (const spec of OPTIONS.filter((o) => o.group === group)) {
      const flag = `${spec.short ? `-${spec.short}, ` : ''}--${spec.flag}${placeholder(spec)}`;
      const def = spec.default === undefined ? '' : ` [default: ${spec.default}]`;
      out.push(`  ${flag.padEnd(34)} ${spec.help}${def}`);
    }
  }
  out.push('', "gcsfuse's names (flags, fstab keys with `_`, and config-file keys):");
  for (const n of GCSFUSE_NAMES.filter((g) => g.flag !== undefined)) {
    const flag = `--${n.flag ?? ''}${n.convert === 'log-severity' ? ' SEVERITY' : ' VALUE'}`;
    out.push(`  ${flag.padEnd(34)} ${gcsfuseMeaning(n)}`);
  }
  return out.join('\n') + '\n';
}

export function optionsMarkdown(): string {
  const out: string[] = [];
  for (const group of GROUPS) {
    out.push(`### ${group}`, '', '| flag | fstab `-o` key | default | meaning |', '|---|---|---|---|');
    for (const spec of OPTIONS.filter((o) => o.group === group)) {
      const flag = `\`${spec.short ? `-${spec.short}, ` : ''}--${spec.flag}${placeholder(spec)}\``;
      const keys = fstabKeys(spec)
        .map((k) => `\`${k}\``)
        .join(', ');
      out.push(
        `| ${flag} | ${keys} | ${spec.default === undefined ? '' : `\`${spec.default}\``} | ${spec.help.replaceAll('|', '\\|')} |`,
      );
    }
    out.push('');
  }
  out.push(
    "### gcsfuse's names",
    '',
    'Each also works as an fstab key (with `_` or `-`); config-file keys are paths in the YAML file. Every',
    'other option is a top-level config-file key under its flag name (`memory-cache-size: 1G`).',
    '',
    '| gcsfuse flag | config-file key | meaning |',
    '|---|---|---|',
  );
  for (const n of GCSFUSE_NAMES) {
    const flag = n.flag === undefined ? '' : `\`--${n.flag}\``;
    const key = n.configKey === undefined ? '' : `\`${n.configKey}\``;
    out.push(`| ${flag} | ${key} | ${gcsfuseMeaning(n).replaceAll('|', '\\|')} |`);
  }
  out.push('');
  return out.join('\n');
}
