// `gcsmount mount --help` and the options part of docs/CONFIGURATION.md, both rendered from the table.

import { OPTIONS, type OptionSpec } from './options.js';

const GROUPS = [...new Set(OPTIONS.map((o) => o.group))];

function placeholder(spec: OptionSpec): string {
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
    case 'string':
      return ' VALUE';
  }
}

function fstabKeys(spec: OptionSpec): string[] {
  return [spec.flag.replaceAll('-', '_'), ...(spec.fstabAliases ?? [])];
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
  return out.join('\n');
}
