// How a pending object (being written through this mount) looks to stat, ls and lookups: the base
// object's metadata with the local size, the local mtime while changes are not uploaded, and the POSIX
// attributes set while pending. Answered from memory, so a file being written needs no lookup at all.

import type { ObjectMeta } from '../../storage/types.js';
import type { PendingObject } from '../write/pending-object.js';
import { fileNode } from './namespace.js';
import type { Node } from './nodes.js';
import { writePosix } from '../posix/attrs.js';

export function pendingMeta(entry: PendingObject): ObjectMeta {
  const base: ObjectMeta = entry.meta ?? {
    bucket: entry.bucket,
    name: entry.key,
    size: 0,
    generation: '0',
    metageneration: '0',
    updated: entry.mtime,
    etag: '',
    contentType: 'application/octet-stream',
    metadata: {},
  };
  const posix = { ...entry.posix };
  if (entry.dirty && posix.mtime === undefined) posix.mtime = entry.mtime.getTime() / 1000;
  return {
    ...base,
    bucket: entry.bucket,
    name: entry.key,
    size: entry.size,
    updated: entry.dirty ? entry.mtime : base.updated,
    metadata: writePosix(base.metadata, posix),
  };
}

export function pendingNode(entry: PendingObject): Node {
  return fileNode(pendingMeta(entry));
}
