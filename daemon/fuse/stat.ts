// Attr -> the stat object fuse-native packs for the kernel.

import type { Attr } from '../fs/nodes.js';

export interface FuseStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  blksize: number;
  blocks: number;
  mtime: Date;
  atime: Date;
  ctime: Date;
}

export function toFuseStat(a: Attr): FuseStat {
  return {
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    size: a.size,
    nlink: a.nlink,
    blksize: 4096,
    // du(1) counts 512-byte blocks.
    blocks: Math.ceil(a.size / 512),
    mtime: a.mtime,
    atime: a.atime,
    ctime: a.ctime,
  };
}
