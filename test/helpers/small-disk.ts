// A tiny tmpfs to make a real ENOSPC happen (the staging dir of a write that must fail). Needs root;
// a test that needs one is skipped, with a note, where mounting is not allowed.

import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from './tools.js';

export async function smallDisk(t: ExecutionContext, size = '64k'): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-small-'));
  const r = await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (r.code !== 0) {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  t.teardown(async () => {
    await run('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}
