// mknod(2) over the filesystem core: a regular file becomes an empty object (create, then release, as
// open(O_CREAT) followed by close would do); FIFOs, sockets and device nodes are refused with EPERM, since
// an object store has nothing that behaves like them (docs/SEMANTICS.md, "Special files"). Storing them as
// typed objects, as s3fs does, would show a FIFO that no two processes could ever meet in.

import { constants } from 'node:fs';
import type { Filesystem } from './filesystem.js';
import { FsError } from '../posix/errors.js';

const { S_IFMT, S_IFREG } = constants;

export async function mknod(
  fs: Pick<Filesystem, 'create' | 'release'>,
  path: string,
  mode: number,
): Promise<void> {
  const type = mode & S_IFMT;
  // mknod(2) takes a type of 0 to mean a regular file.
  if (type !== 0 && type !== S_IFREG)
    throw new FsError('perm', 'FIFOs, sockets and device nodes cannot be stored as objects');
  const fd = await fs.create(path, mode & 0o7777);
  await fs.release(fd);
}
