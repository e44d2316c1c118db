// The version of this gcsmount, from its package.json (the one source of truth: `npm version` bumps it,
// `npm pack` ships it). Found by walking up from this module, because the same code runs from build/
// (installed, two levels down) and from the source tree under tsx (one level down).

import { readFile } from 'node:fs/promises';
import path from 'node:path';

let cached: Promise<string> | undefined;

export function version(): Promise<string> {
  cached ??= find(import.meta.dirname);
  return cached;
}

async function find(start: string): Promise<string> {
  for (let dir = start, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'gcsmount' && pkg.version) return pkg.version;
    } catch {
      /* not here: one level up */
    }
  }
  return 'unknown';
}
