// The filesystem core with no kernel: the daemon's own object graph (assemble.ts: caches, reader,
// writer) over the in-memory backend wrapped to count requests, a temp cache dir, and small helpers to
// read what the store holds. Core tests drive `Filesystem` through it and assert behaviour and request
// counts.

import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '../../common/clock.js';
import { createLogger } from '../../common/logger.js';
import { assemble } from '../../daemon/assemble.js';
import { parseMountArgs } from '../../daemon/config/parse-args.js';
import { toFsError } from '../../daemon/posix/errors.js';
import type { Filesystem } from '../../daemon/fs/filesystem.js';
import { listKept, type KeptFile } from '../../daemon/write/kept-files.js';
import { MemoryBackend } from '../../storage/fake/memory-backend.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { ObjectMeta } from '../../storage/types.js';
import { counting, type Counted } from './counting-backend.js';

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_TRUNC = 0o1000;

export interface Harness {
  fs: Filesystem;
  memory: MemoryBackend;
  requests: Counted;
  cacheDir: string;
  logs: string[];
  /** Resolves once readdir's background attribute fetches are done. */
  prefetched(): Promise<void>;
  /** The object's bytes in the store, or undefined when there is none. */
  object(name: string): Promise<string | undefined>;
  put(name: string, data: string): Promise<ObjectMeta>;
  kept(): Promise<KeptFile[]>;
  /** Reads a whole file through a descriptor. */
  readAll(fd: number, max?: number): Promise<string>;
  write(fd: number, data: string, offset: number): Promise<number>;
}

export async function harness(
  t: ExecutionContext,
  o: {
    flags?: string[];
    cacheDir?: string;
    /** Share a store with another harness (a remount). */
    memory?: MemoryBackend;
    /** Wraps the counted backend (e.g. to make uploads hang, standing in for a crash mid-upload). */
    wrap?: (b: StorageBackend) => StorageBackend;
    /** The clock of TTLs and of the upload queue's delays and retries (a ManualClock: advance it). */
    clock?: Clock;
  } = {},
): Promise<Harness> {
  const cacheDir = o.cacheDir ?? (await mkdtemp(path.join(tmpdir(), 'gcsmount-core-')));
  // Retried: an entry ending in the background (an async upload settling) may still be moving its slot to
  // the spare directory as the test ends.
  if (!o.cacheDir) t.teardown(() => rm(cacheDir, { recursive: true, force: true, maxRetries: 5 }));
  const memory = o.memory ?? new MemoryBackend();
  if (!o.memory) await memory.createBucket('bkt');
  const requests = counting(memory);
  const parsed = parseMountArgs(['bkt', '/unused', ...(o.flags ?? [])]);
  if (parsed.help) throw new Error('unexpected --help');
  const logs: string[] = [];
  const logger = createLogger({ write: (l) => logs.push(l), level: 'warn' });
  const a = await assemble(
    o.wrap ? o.wrap(requests.backend) : requests.backend,
    { ...parsed.config, cacheDir },
    logger,
    ...(o.clock ? [o.clock] : []),
  );
  const fs = a.fs;
  return {
    fs,
    memory,
    requests,
    cacheDir,
    logs,
    prefetched: () => a.attrPrefetch.idle(),
    async object(name) {
      try {
        const chunks: Buffer[] = [];
        for await (const c of (await memory.readObject('bkt', name)).body as AsyncIterable<Buffer>)
          chunks.push(c);
        return Buffer.concat(chunks).toString();
      } catch {
        return undefined;
      }
    },
    put: (name, data) => memory.writeObject('bkt', name, Buffer.from(data)),
    kept: () => listKept(path.join(cacheDir, 'failed-uploads')),
    async readAll(fd, max = 1 << 20) {
      const buf = Buffer.alloc(max);
      let at = 0;
      for (;;) {
        const n = await fs.read(fd, buf.subarray(at), max - at, at);
        if (n === 0) break;
        at += n;
      }
      return buf.subarray(0, at).toString();
    },
    write: (fd, data, offset) => fs.write(fd, Buffer.from(data), Buffer.byteLength(data), offset),
  };
}

/** The backend requests `fn` makes, by method (the counts start from zero). */
export async function counted(
  h: Harness,
  fn: () => Promise<unknown>,
): Promise<ReturnType<Counted['counts']>> {
  h.requests.reset();
  await fn();
  return h.requests.counts();
}

/** The FsError code a promise rejects with (as the FUSE adapter maps it). */
export async function codeOf(t: ExecutionContext, p: Promise<unknown>): Promise<string | undefined> {
  const err: unknown = await t.throwsAsync(p);
  return err instanceof Error ? toFsError(err).code : undefined;
}
