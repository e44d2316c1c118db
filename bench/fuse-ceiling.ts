// The FUSE binding's own ceiling: a mount through fuse-native (with the same big_writes tuning and the
// same kernel attribute/entry timeouts as the daemon's defaults) whose one file, /data, is served from a Buffer in memory and whose writes are dropped. No
// storage, no cache, no daemon logic: whatever dd gets here is the most any fuse-native mount can get.
// Usage: npx tsx bench/fuse-ceiling.ts MOUNTPOINT SIZE_BYTES  (prints "ready", unmounts on SIGTERM)

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Fuse = require('fuse-native') as typeof import('fuse-native');

class TunedFuse extends Fuse {
  protected override _fuseOptions(): string {
    const base = super._fuseOptions();
    // gcsmount's defaults (daemon/fuse/kernel-cache.ts: the 60 s stat/type TTLs, 5 s negative): with
    // libfuse's 1 s the kernel asks getattr again during a long dd, which gcsmount does not pay.
    const extra = 'big_writes,max_write=131072,attr_timeout=60,entry_timeout=60,negative_timeout=5';
    return base === '' ? `-o${extra}` : `${base},${extra}`;
  }
}

const [mnt, sizeArg] = process.argv.slice(2);
if (mnt === undefined) throw new Error('usage: fuse-ceiling.ts MOUNTPOINT SIZE');
const data = Buffer.alloc(Number(sizeArg ?? 1 << 30), 7);
const now = new Date();
const stat = (mode: number, size: number) => ({
  mtime: now,
  atime: now,
  ctime: now,
  nlink: 1,
  size,
  mode,
  uid: process.getuid?.() ?? 0,
  gid: process.getgid?.() ?? 0,
});
type Cb = (...args: unknown[]) => void;
const ops: Record<string, Cb> = {
  readdir: (_p, cb) => (cb as Cb)(0, ['data', 'sink']),
  getattr: (p, cb) => {
    if (p === '/') return (cb as Cb)(0, stat(0o40755, 4096));
    if (p === '/data') return (cb as Cb)(0, stat(0o100644, data.length));
    if (p === '/sink') return (cb as Cb)(0, stat(0o100644, 0));
    return (cb as Cb)(-2);
  },
  open: (_p, _f, cb) => (cb as Cb)(0, 1),
  create: (_p, _m, cb) => (cb as Cb)(0, 2),
  truncate: (_p, _s, cb) => (cb as Cb)(0),
  ftruncate: (_p, _fd, _s, cb) => (cb as Cb)(0),
  release: (_p, _fd, cb) => (cb as Cb)(0),
  read: (_p, _fd, buf, len, pos, cb) => {
    const b = buf as Buffer;
    const n = Math.max(0, Math.min(len as number, data.length - (pos as number)));
    data.copy(b, 0, pos as number, (pos as number) + n);
    (cb as Cb)(n);
  },
  write: (_p, _fd, _buf, len, _pos, cb) => (cb as Cb)(len),
};
// spinMicros: the daemon's default --fuse-spin-us (the patched build polls that long after a request).
const fuse = new TunedFuse(mnt, ops, { force: true, mkdir: true, spinMicros: 100 });
fuse.mount((err) => {
  if (err) throw err;
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => fuse.unmount(() => process.exit(0)));
