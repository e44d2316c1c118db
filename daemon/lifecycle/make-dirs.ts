// `mkdir -p` for directories the user names (--cache-dir, --log-file). Node's own recursive mkdir loops
// forever, burning a core, when a path leads into /proc (mkdir there answers ENOENT although the parent
// exists, and Node retries the parent): a mistyped --cache-dir hung the mount. This walks up to the
// nearest existing ancestor once, then creates each missing level once, so every failure surfaces.

import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

export async function makeDirs(dir: string, mode = 0o755): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ;) {
    try {
      if (!(await stat(d)).isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, '${d}'`), { code: 'ENOTDIR' });
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(d);
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
