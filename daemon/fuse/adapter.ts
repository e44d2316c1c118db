// The only module that imports fuse-native: a thin shell that turns each kernel request into one awaited
// Filesystem call and exactly one reply, mapping errors through errno.ts. Which call and which reply
// each op gets is the table in ops.ts; this file adds the logging, the timing and the errors. Two fixes to fuse-native live
// here: its mount options gain big_writes and max_write (libfuse 2 otherwise writes in 4 KiB requests:
// 56 MB/s against ~1 GB/s measured) and atomic_o_trunc (O_TRUNC arrives with the open instead of as
// a truncate before it, so `: > f` whose writes then fail never uploads an empty object), the kernel's
// attribute/entry/negative timeouts follow the caches' TTLs (kernel-cache.ts), and getxattr/listxattr check the caller's buffer size so a short
// buffer gets ERANGE instead of a silently truncated value. Open replies carry the
// filesystem's keep-the-page-cache answer (daemon/fs/kernel-pages.ts), which the patched binding passes on.

import { createRequire } from 'node:module';
import type { Logger } from '../../common/logger.js';
import { toFsError } from '../posix/errors.js';
import type { Filesystem } from '../fs/filesystem.js';
import { ERRNO, QUIET } from './errno.js';
import { kernelCacheOptions, type KernelCacheTtls } from './kernel-cache.js';
import { OPS, type Op, type Reply } from './ops.js';

const require = createRequire(import.meta.url);
const Fuse = require('fuse-native') as typeof import('fuse-native');

/** 128 KiB: the largest write libfuse 2 accepts with big_writes. */
export const MAX_WRITE = 131072;

type Signal = (res: number, ...rest: unknown[]) => void;

class TunedFuse extends Fuse {
  /** Further `-o` options (ro, nonempty) that fuse-native has no field for. */
  extraOptions: readonly string[] = [];

  protected override _fuseOptions(): string {
    const base = super._fuseOptions();
    const extra = [`big_writes,max_write=${MAX_WRITE},atomic_o_trunc`, ...this.extraOptions].join(',');
    return base === '' ? `-o${extra}` : `${base},${extra}`;
  }

  // Overrides of fuse-native's handlers (same signatures), which ignore the kernel's buffer size.
  _op_getxattr(signal: Signal, path: string, name: string, valueBuf: Buffer): void {
    const ops = (
      this as unknown as {
        ops: { getxattr: (p: string, n: string, pos: number, cb: (err: number, v?: Buffer) => void) => void };
      }
    ).ops;
    ops.getxattr(path, name, 0, (err, value) => {
      if (err || !value) return signal(err || -ERRNO['no-data'], valueBuf.buffer);
      if (valueBuf.length === 0) return signal(value.length, valueBuf.buffer);
      if (value.length > valueBuf.length) return signal(-ERRNO.range, valueBuf.buffer);
      value.copy(valueBuf);
      return signal(value.length, valueBuf.buffer);
    });
  }

  _op_listxattr(signal: Signal, path: string, listBuf: Buffer): void {
    const ops = (
      this as unknown as {
        ops: { listxattr: (p: string, cb: (err: number, list?: string[]) => void) => void };
      }
    ).ops;
    ops.listxattr(path, (err, list) => {
      if (err || !list) return signal(err || 0, listBuf.buffer);
      const packed = Buffer.concat(list.map((n) => Buffer.from(`${n}\0`)));
      if (listBuf.length === 0) return signal(packed.length, listBuf.buffer);
      if (packed.length > listBuf.length) return signal(-ERRNO.range, listBuf.buffer);
      packed.copy(listBuf);
      return signal(packed.length, listBuf.buffer);
    });
  }
}

export interface AdapterOptions {
  mountpoint: string;
  /** What mount(8) shows as the source: the bucket, as fstab names it (so `mount -a` sees it mounted). */
  fsname: string;
  /** Extra libfuse `-o` options: `ro` (read-only, shown in /proc/mounts), `nonempty`. */
  mountOptions?: readonly string[];
  /** How long the kernel keeps attributes, entries and absent names (kernel-cache.ts). */
  kernelCache: KernelCacheTtls;
  allowOther: boolean;
  debug: boolean;
  /** Per-op timeout; uploads on flush/release/fsync get no fuse-native timeout at all (they may take
   *  minutes; the storage client has its own deadlines). */
  opTimeoutMs: number;
  /** Microseconds the loop keeps polling after each request (patched fuse-native; 0: off). */
  spinMicros: number;
  logger: Logger;
  /** Metrics hook: each op's name, errno (0: success) and duration, once it is answered. */
  /** One op finished (errno 0 on success); `bytes` is what a read or write moved. */
  onOp?: (op: string, errno: number, seconds: number, bytes?: number) => void;
}

export interface MountedFuse {
  unmount(): Promise<void>;
}

export async function mountFuse(fs: Filesystem, o: AdapterOptions): Promise<MountedFuse> {
  const log = o.logger;
  if (!Fuse.UTIMENS_FIXED) {
    // scripts/build-native.sh could not build the patched addon at install and said so; say it again.
    log.warn(
      'fuse-native is the unpatched prebuilt: utimes stores the atime as the mtime (cp -p, touch -r), and touch -m/-a and tar x keep no mtime; rerun npm ci with libfuse-dev installed',
    );
  }
  /** One handler per row of the op table: log, time, call the filesystem, reply exactly once. */
  const handler =
    (name: string, spec: Op) =>
    (...args: unknown[]): void => {
      const cb = args.pop() as Reply;
      const path = String(args[spec.pathArg ?? 0]);
      const op = spec.name ?? name;
      log.debug(op, { path });
      const onOp = o.onOp;
      const started = onOp ? process.hrtime.bigint() : 0n;
      const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
      spec.run(fs, args).then(
        (r) => {
          onOp?.(
            op,
            0,
            seconds(),
            (op === 'read' || op === 'write') && typeof r === 'number' ? r : undefined,
          );
          spec.reply(cb, r);
        },
        (err: unknown) => {
          const e = toFsError(err);
          // Probing absent names and foreign xattr namespaces (security.*, system.*) is routine for tools.
          const level = QUIET.has(e.code) || op.endsWith('xattr') ? 'debug' : 'warn';
          log[level](`${op} failed`, { path, code: e.code, error: e.message });
          onOp?.(op, ERRNO[e.code], seconds());
          cb(-ERRNO[e.code]);
        },
      );
    };
  const ops = Object.fromEntries(Object.entries(OPS).map(([name, spec]) => [name, handler(name, spec)]));
  const fuse = new TunedFuse(o.mountpoint, ops, {
    timeout: {
      default: o.opTimeoutMs,
      flush: false,
      release: false,
      fsync: false,
      write: false,
      create: false,
      mknod: false,
      rename: false,
      truncate: false,
      ftruncate: false,
    },
    force: true,
    debug: o.debug,
    allowOther: o.allowOther,
    defaultPermissions: true,
    fsname: o.fsname,
    subtype: 'gcsmount',
    spinMicros: o.spinMicros,
  });
  fuse.extraOptions = [...kernelCacheOptions(o.kernelCache), ...(o.mountOptions ?? [])];
  await new Promise<void>((resolve, reject) => {
    fuse.mount((err) => {
      if (err) reject(err);
      else resolve();
    });
  });
  return {
    unmount: () =>
      new Promise<void>((resolve, reject) => {
        fuse.unmount((err) => {
          if (err) reject(err);
          else resolve();
        });
      }),
  };
}
