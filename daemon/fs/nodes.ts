// What a path is, once looked up, and the attributes the kernel sees for it. Mode, owner and mtime come
// from the gsutil POSIX metadata when present, else from the mount's defaults (--file-mode, --uid, ...).
// A directory's come from its marker object's metadata (full metadata: a listing does not carry it); an
// implicit directory (no marker) shows the defaults until chmod/chown/touch writes a marker.

import type { ListedObject, ObjectMeta } from '../../storage/types.js';
import { readPosix } from '../posix/attrs.js';

export const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

export type Node =
  | { kind: 'root' }
  | { kind: 'bucket'; bucket: string; created?: Date }
  | { kind: 'dir'; bucket: string; key: string; marker?: ObjectMeta }
  | { kind: 'file'; bucket: string; key: string; meta: ObjectMeta }
  | { kind: 'symlink'; bucket: string; key: string; meta: ObjectMeta; target: string };

export interface Attr {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  atime: Date;
  ctime: Date;
  nlink: number;
}

export interface Defaults {
  uid: number;
  gid: number;
  fileMode: number;
  dirMode: number;
  /** Mount time: the times of directories that have no object behind them. */
  mountedAt: Date;
}

export function dirAttr(d: Defaults, marker?: ObjectMeta): Attr {
  const posix = marker ? readPosix(marker.metadata) : {};
  const t = posix.mtime !== undefined ? new Date(posix.mtime * 1000) : (marker?.updated ?? d.mountedAt);
  return {
    mode: S_IFDIR | (posix.mode ?? d.dirMode),
    uid: posix.uid ?? d.uid,
    gid: posix.gid ?? d.gid,
    size: 4096,
    mtime: t,
    atime: t,
    ctime: marker?.updated ?? t,
    nlink: 2,
  };
}

export function fileAttr(
  d: Defaults,
  meta: ListedObject | ObjectMeta,
  kind: 'file' | 'symlink' = 'file',
  size = meta.size,
): Attr {
  const posix = 'metadata' in meta ? readPosix(meta.metadata) : {};
  const mtime = posix.mtime !== undefined ? new Date(posix.mtime * 1000) : meta.updated;
  return {
    mode: kind === 'symlink' ? S_IFLNK | 0o777 : S_IFREG | (posix.mode ?? d.fileMode),
    uid: posix.uid ?? d.uid,
    gid: posix.gid ?? d.gid,
    size,
    mtime,
    atime: mtime,
    ctime: meta.updated,
    nlink: 1,
  };
}

export function nodeAttr(d: Defaults, node: Node): Attr {
  switch (node.kind) {
    case 'root':
      return dirAttr(d);
    case 'bucket': {
      const a = dirAttr(d);
      return node.created ? { ...a, mtime: node.created, atime: node.created, ctime: node.created } : a;
    }
    case 'dir':
      return dirAttr(d, node.marker);
    case 'file':
      return fileAttr(d, node.meta);
    case 'symlink':
      return fileAttr(d, node.meta, 'symlink', Buffer.byteLength(node.target));
  }
}
