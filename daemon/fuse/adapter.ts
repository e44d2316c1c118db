// The only module that imports fuse-native: a thin shell that turns each kernel request into one awaited
// Filesystem call and exactly one reply, mapping errors through errno.ts. Two fixes to fuse-native live
// here: its mount options gain big_writes and max_write (libfuse 2 otherwise writes in 4 KiB requests:
// 56 MB/s against ~1 GB/s measured), and getxattr/listxattr check the caller's buffer size so a short
// buffer gets ERANGE instead of a silently truncated value.

import { createRequire } from 'node:module';
import type { Logger } from '../../common/logger.js';
import { toFsError } from '../fs/errors.js';
import type { Filesystem } from '../fs/filesystem.js';
import { ERRNO, QUIET } from './errno.js';
import { toFuseStat } from './stat.js';

const require = createRequire(import.meta.url);
const Fuse = require('fuse-native') as typeof import('fuse-native');

/** 128 KiB: the largest write libfuse 2 accepts with big_writes. */
export const MAX_WRITE = 131072;
const ERANGE = 34;

type Signal = (res: number, ...rest: unknown[]) => void;

class TunedFuse extends Fuse {
  /** Further `-o` options (ro, nonempty) that fuse-native has no field for. */
  extraOptions: readonly string[] = [];

  protected override _fuseOptions(): string {
    const base = super._fuseOptions();
    const extra = [`big_writes,max_write=${MAX_WRITE}`, ...this.extraOptions].join(',');
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
      if (err || !value) return signal(err || -61, valueBuf.buffer);
      if (valueBuf.length === 0) return signal(value.length, valueBuf.buffer);
      if (value.length > valueBuf.length) return signal(-ERANGE, valueBuf.buffer);
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
      if (packed.length > listBuf.length) return signal(-ERANGE, listBuf.buffer);
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
  allowOther: boolean;
  debug: boolean;
  /** Per-op timeout; uploads on flush/release/fsync get no fuse-native timeout at all (they may take
   *  minutes; the storage client has its own deadlines). */
  opTimeoutMs: number;
  logger: Logger;
  /** Metrics hook: each op's name, errno (0: success) and duration, once it is answered. */
  onOp?: (op: string, errno: number, seconds: number) => void;
}

export interface MountedFuse {
  unmount(): Promise<void>;
}

export async function mountFuse(fs: Filesystem, o: AdapterOptions): Promise<MountedFuse> {
  const log = o.logger;
  /** Runs one op: resolves to a result, or replies with the negated errno. */
  const call = <T>(
    op: string,
    path: string,
    work: () => Promise<T>,
    reply: (r: T) => void,
    fail: (errno: number) => void,
  ): void => {
    log.debug(op, { path });
    const onOp = o.onOp;
    const started = onOp ? process.hrtime.bigint() : 0n;
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    work().then(
      (r) => {
        onOp?.(op, 0, seconds());
        reply(r);
      },
      (err: unknown) => {
        const e = toFsError(err);
        // Probing absent names and foreign xattr namespaces (security.*, system.*) is routine for tools.
        const level = QUIET.has(e.code) || op.endsWith('xattr') ? 'debug' : 'warn';
        log[level](`${op} failed`, { path, code: e.code, error: e.message });
        onOp?.(op, ERRNO[e.code], seconds());
        fail(-ERRNO[e.code]);
      },
    );
  };
  const ops = {
    getattr: (p: string, cb: (e: number, s?: unknown) => void) => {
      call(
        'getattr',
        p,
        () => fs.getattr(p),
        (a) => cb(0, toFuseStat(a)),
        (e) => cb(e),
      );
    },
    fgetattr: (p: string, _fd: number, cb: (e: number, s?: unknown) => void) => {
      call(
        'getattr',
        p,
        () => fs.getattr(p),
        (a) => cb(0, toFuseStat(a)),
        (e) => cb(e),
      );
    },
    readdir: (p: string, cb: (e: number, names?: string[], stats?: unknown[]) => void) => {
      call(
        'readdir',
        p,
        () => fs.readdir(p),
        (list) =>
          cb(
            0,
            list.map((x) => x.name),
            list.map((x) => toFuseStat(x.attr)),
          ),
        (e) => cb(e),
      );
    },
    access: (p: string, _mode: number, cb: (e: number) => void) => {
      call(
        'access',
        p,
        () => fs.access(p),
        () => cb(0),
        cb,
      );
    },
    statfs: (p: string, cb: (e: number, s?: unknown) => void) => {
      call(
        'statfs',
        p,
        () => fs.statfs(),
        (s) => cb(0, s),
        (e) => cb(e),
      );
    },
    open: (p: string, flags: number, cb: (e: number, fd?: number) => void) => {
      call(
        'open',
        p,
        () => fs.open(p, flags),
        (fd) => cb(0, fd),
        (e) => cb(e),
      );
    },
    create: (p: string, mode: number, cb: (e: number, fd?: number) => void) => {
      call(
        'create',
        p,
        () => fs.create(p, mode),
        (fd) => cb(0, fd),
        (e) => cb(e),
      );
    },
    read: (p: string, fd: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void) => {
      call('read', p, () => fs.read(fd, buf, len, pos), cb, cb);
    },
    write: (p: string, fd: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void) => {
      call('write', p, () => fs.write(fd, buf, len, pos), cb, cb);
    },
    flush: (p: string, fd: number, cb: (e: number) => void) => {
      call(
        'flush',
        p,
        () => fs.flush(fd),
        () => cb(0),
        cb,
      );
    },
    fsync: (p: string, _datasync: number, fd: number, cb: (e: number) => void) => {
      call(
        'fsync',
        p,
        () => fs.fsync(fd),
        () => cb(0),
        cb,
      );
    },
    release: (p: string, fd: number, cb: (e: number) => void) => {
      call(
        'release',
        p,
        () => fs.release(fd),
        () => cb(0),
        cb,
      );
    },
    truncate: (p: string, size: number, cb: (e: number) => void) => {
      call(
        'truncate',
        p,
        () => fs.truncate(p, size),
        () => cb(0),
        cb,
      );
    },
    ftruncate: (p: string, fd: number, size: number, cb: (e: number) => void) => {
      call(
        'truncate',
        p,
        () => fs.ftruncate(fd, size),
        () => cb(0),
        cb,
      );
    },
    unlink: (p: string, cb: (e: number) => void) => {
      call(
        'unlink',
        p,
        () => fs.unlink(p),
        () => cb(0),
        cb,
      );
    },
    mkdir: (p: string, mode: number, cb: (e: number) => void) => {
      call(
        'mkdir',
        p,
        () => fs.mkdir(p, mode),
        () => cb(0),
        cb,
      );
    },
    rmdir: (p: string, cb: (e: number) => void) => {
      call(
        'rmdir',
        p,
        () => fs.rmdir(p),
        () => cb(0),
        cb,
      );
    },
    rename: (src: string, dest: string, cb: (e: number) => void) => {
      call(
        'rename',
        src,
        () => fs.rename(src, dest),
        () => cb(0),
        cb,
      );
    },
    link: (src: string, _dest: string, cb: (e: number) => void) => {
      call(
        'link',
        src,
        () => fs.link(),
        () => cb(0),
        cb,
      );
    },
    symlink: (target: string, p: string, cb: (e: number) => void) => {
      call(
        'symlink',
        p,
        () => fs.symlink(target, p),
        () => cb(0),
        cb,
      );
    },
    readlink: (p: string, cb: (e: number, target?: string) => void) => {
      call(
        'readlink',
        p,
        () => fs.readlink(p),
        (t) => cb(0, t),
        (e) => cb(e),
      );
    },
    chmod: (p: string, mode: number, cb: (e: number) => void) => {
      call(
        'chmod',
        p,
        () => fs.chmod(p, mode),
        () => cb(0),
        cb,
      );
    },
    chown: (p: string, uid: number, gid: number, cb: (e: number) => void) => {
      call(
        'chown',
        p,
        () => fs.chown(p, uid, gid),
        () => cb(0),
        cb,
      );
    },
    utimens: (p: string, atime: number, mtime: number, cb: (e: number) => void) => {
      call(
        'utimens',
        p,
        () => fs.utimens(p, atime, mtime),
        () => cb(0),
        cb,
      );
    },
    getxattr: (p: string, name: string, _pos: number, cb: (e: number, v?: Buffer) => void) => {
      call(
        'getxattr',
        p,
        () => fs.getxattr(p, name),
        (v) => cb(0, v),
        (e) => cb(e),
      );
    },
    listxattr: (p: string, cb: (e: number, list?: string[]) => void) => {
      call(
        'listxattr',
        p,
        () => fs.listxattr(p),
        (l) => cb(0, l),
        (e) => cb(e),
      );
    },
    setxattr: (
      p: string,
      name: string,
      value: Buffer,
      _pos: number,
      _flags: number,
      cb: (e: number) => void,
    ) => {
      // fuse-native hands over a view of native memory: copy it before the call returns.
      const copy = Buffer.from(value);
      call(
        'setxattr',
        p,
        () => fs.setxattr(p, name, copy),
        () => cb(0),
        cb,
      );
    },
    removexattr: (p: string, name: string, cb: (e: number) => void) => {
      call(
        'removexattr',
        p,
        () => fs.removexattr(p, name),
        () => cb(0),
        cb,
      );
    },
  };
  const fuse = new TunedFuse(o.mountpoint, ops as unknown as Record<string, (...args: unknown[]) => void>, {
    timeout: {
      default: o.opTimeoutMs,
      flush: false,
      release: false,
      fsync: false,
      write: false,
      create: false,
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
  });
  fuse.extraOptions = o.mountOptions ?? [];
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
