// The FUSE operations as one table: for each op fuse-native calls, which Filesystem call serves it and
// what shape its reply takes. adapter.ts turns each row into a handler (log, time, call, reply once, map
// errors); nothing here knows about errno or logging. An op absent from the table is not implemented
// (fuse-native then answers ENOSYS, or libfuse falls back: mknod of a regular file goes to create).

import type { Filesystem } from '../fs/filesystem.js';
import { mknod } from '../fs/mknod.js';
import { toFuseStat } from './stat.js';

/** fuse-native's reply callback: an errno (0 or negative) or a byte count, then the op's values. */
export type Reply = (res: number, ...values: unknown[]) => void;

export interface Op {
  /** The name logs and metrics use (fgetattr counts as getattr, ftruncate as truncate). */
  name?: string;
  /** Which argument is the path the op is about (logs): the first unless said. */
  pathArg?: number;
  /** Starts the filesystem call with fuse-native's arguments (without the callback); runs synchronously
   *  up to its first await, which setxattr relies on. */
  run: (fs: Filesystem, args: unknown[]) => Promise<unknown>;
  /** Sends the successful result. */
  reply: (cb: Reply, result: unknown) => void;
}

// Reply shapes.
const done = (cb: Reply): void => cb(0);
const value = (cb: Reply, v: unknown): void => cb(0, v);
/** read/write: the result is the byte count itself. */
const count = (cb: Reply, n: number): void => cb(n);
const stat = (cb: Reply, a: Parameters<typeof toFuseStat>[0]): void => cb(0, toFuseStat(a));
const entries = (cb: Reply, list: Awaited<ReturnType<Filesystem['readdir']>>): void =>
  cb(
    0,
    list.map((x) => x.name),
    list.map((x) => toFuseStat(x.attr)),
  );

/** One row. Each run declares fuse-native's argument types for its op (never[] accepts any list). */
function op<T>(
  run: (fs: Filesystem, ...args: never[]) => Promise<T>,
  reply: (cb: Reply, result: T) => void,
  more: Pick<Op, 'name' | 'pathArg'> = {},
): Op {
  return {
    run: (fs, args) => run(fs, ...(args as never[])),
    reply: (cb, result) => {
      reply(cb, result as T);
    },
    ...more,
  };
}

export const OPS: Record<string, Op> = {
  getattr: op((fs, p: string) => fs.getattr(p), stat),
  fgetattr: op((fs, p: string, _fd: number) => fs.getattr(p), stat, { name: 'getattr' }),
  readdir: op((fs, p: string) => fs.readdir(p), entries),
  access: op((fs, p: string, _mode: number) => fs.access(p), done),
  statfs: op((fs, _p: string) => fs.statfs(), value),
  open: op(
    async (fs, p: string, flags: number) => {
      const fd = await fs.open(p, flags);
      return { fd, keep: fs.keepsPages(fd) };
    },
    (cb, r) => {
      cb(0, r.fd, r.keep);
    },
  ),
  create: op((fs, p: string, mode: number) => fs.create(p, mode), value),
  read: op(
    (fs, _p: string, fd: number, buf: Buffer, len: number, pos: number) => fs.read(fd, buf, len, pos),
    count,
  ),
  write: op(
    (fs, _p: string, fd: number, buf: Buffer, len: number, pos: number) => fs.write(fd, buf, len, pos),
    count,
  ),
  flush: op((fs, _p: string, fd: number) => fs.flush(fd), done),
  fsync: op((fs, _p: string, _datasync: number, fd: number) => fs.fsync(fd), done),
  release: op((fs, _p: string, fd: number) => fs.release(fd), done),
  truncate: op((fs, p: string, size: number) => fs.truncate(p, size), done),
  ftruncate: op((fs, _p: string, fd: number, size: number) => fs.ftruncate(fd, size), done, {
    name: 'truncate',
  }),
  unlink: op((fs, p: string) => fs.unlink(p), done),
  mkdir: op((fs, p: string, mode: number) => fs.mkdir(p, mode), done),
  rmdir: op((fs, p: string) => fs.rmdir(p), done),
  rename: op((fs, src: string, dest: string) => fs.rename(src, dest), done),
  link: op((fs, _src: string, _dest: string) => fs.link(), done),
  symlink: op((fs, target: string, p: string) => fs.symlink(target, p), done, { pathArg: 1 }),
  readlink: op((fs, p: string) => fs.readlink(p), value),
  chmod: op((fs, p: string, mode: number) => fs.chmod(p, mode), done),
  chown: op((fs, p: string, uid: number, gid: number) => fs.chown(p, uid, gid), done),
  // Milliseconds; undefined for a time the caller omitted (UTIME_OMIT), thanks to the patched binding.
  utimens: op(
    (fs, p: string, atime: number | undefined, mtime: number | undefined) => fs.utimens(p, atime, mtime),
    done,
  ),
  mknod: op((fs, p: string, mode: number, _dev: number) => mknod(fs, p, mode), done),
  getxattr: op((fs, p: string, name: string, _pos: number) => fs.getxattr(p, name), value),
  listxattr: op((fs, p: string) => fs.listxattr(p), value),
  // fuse-native hands over a view of native memory: copied before the call returns.
  setxattr: op(
    (fs, p: string, name: string, v: Buffer, _pos: number, _flags: number) =>
      fs.setxattr(p, name, Buffer.from(v)),
    done,
  ),
  removexattr: op((fs, p: string, name: string) => fs.removexattr(p, name), done),
};
