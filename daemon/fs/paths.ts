// Where a mount path points: the project root (project mounts), a bucket's root directory, or an entry
// (object key without a trailing slash) in a bucket. Also the inverse, and the name rules that decide which
// object names can appear as directory entries at all (see docs/SEMANTICS.md "Names").

import { FsError } from '../posix/errors.js';

export interface Layout {
  /** Whole-project mount: buckets are the top-level directories. */
  project: boolean;
  /** The bucket of a single-bucket mount. */
  bucket?: string;
  /** Only this prefix of the bucket is mounted ('' or ending in '/'). */
  onlyDir: string;
}

export type Location =
  { kind: 'root' } | { kind: 'bucket'; bucket: string } | { kind: 'entry'; bucket: string; key: string };

/** Object names are at most 1024 bytes; path components at most 255 (Linux NAME_MAX). */
export const MAX_KEY_BYTES = 1024;
export const MAX_NAME_BYTES = 255;

export function locate(layout: Layout, path: string): Location {
  const parts = path.split('/').filter((p) => p !== '');
  for (const p of parts) {
    if (Buffer.byteLength(p) > MAX_NAME_BYTES)
      throw new FsError('name-too-long', `name too long: ${p.slice(0, 40)}…`);
  }
  let bucket: string;
  if (layout.project) {
    const first = parts.shift();
    if (first === undefined) return { kind: 'root' };
    bucket = first;
  } else {
    bucket = layout.bucket ?? '';
  }
  if (parts.length === 0) return { kind: 'bucket', bucket };
  const key = layout.onlyDir + parts.join('/');
  // The entry's own name is what must fit; a directory's marker (`key/`) needs one byte more, which only
  // the operations that write a marker check (markerKey).
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new FsError('name-too-long', `object name would exceed ${MAX_KEY_BYTES} bytes`);
  }
  return { kind: 'entry', bucket, key };
}

/** Whether `key` can be a directory at all: its marker `key/` and every child name pass the limit. */
export function canBeDir(key: string): boolean {
  return Buffer.byteLength(key) + 1 <= MAX_KEY_BYTES;
}

/** The marker object of directory `key`, or ENAMETOOLONG when `key/` would pass the object name limit. */
export function markerKey(key: string): string {
  if (!canBeDir(key)) {
    throw new FsError('name-too-long', `directory marker would exceed ${MAX_KEY_BYTES} bytes`);
  }
  return `${key}/`;
}

/** The listing prefix of a directory location ('' for a bucket root without only-dir). */
export function dirPrefix(layout: Layout, loc: Location): string {
  if (loc.kind === 'root') throw new FsError('invalid', 'the project root has no prefix');
  return loc.kind === 'bucket' ? layout.onlyDir : `${loc.key}/`;
}

/** Whether a listed child name (the part after the directory prefix, without a trailing '/') can be shown.
 *  A path component is 1 to 255 bytes of anything but NUL and '/', and never '.' or '..'; an object name
 *  may be any of those (an empty segment is 'a//b'). NUL would reach the kernel as the end of the name and
 *  show a different, possibly existing, entry. */
export function isShowableName(name: string): boolean {
  return (
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('\u0000') &&
    !name.includes('/') &&
    Buffer.byteLength(name) <= MAX_NAME_BYTES
  );
}

export function describe(loc: Location): string {
  switch (loc.kind) {
    case 'root':
      return 'project root';
    case 'bucket':
      return `gs://${loc.bucket}`;
    case 'entry':
      return `gs://${loc.bucket}/${loc.key}`;
  }
}
