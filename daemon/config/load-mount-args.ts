// The whole of `gcsmount mount`'s configuration: the command line, and under it the --config-file it names
// (read here, at start-up, the one step of configuration that does I/O). parse-args.ts stays pure.

import { loadConfigFile } from './config-file.js';
import { buildMountConfig, scanMountArgs, type ParsedArgs } from './parse-args.js';

export async function loadMountArgs(argv: readonly string[]): Promise<ParsedArgs> {
  const scanned = scanMountArgs(argv);
  if (scanned.help) return { help: true };
  const file = scanned.values.get('config-file');
  const fromFile = typeof file === 'string' ? await loadConfigFile(file) : undefined;
  return { help: false, config: buildMountConfig(scanned, fromFile) };
}
