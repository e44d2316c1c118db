// Which custom-metadata key an extended attribute name means, and whether a key may be shown or written.
// `user.gcs.meta.KEY` (the explicit form) and any other `user.KEY` (what rsync -X, user.xdg.* and tagging
// tools use) both mean the custom metadata `x-goog-meta-KEY`. The keys gcsmount, gsutil and gcsfuse keep
// POSIX attributes and symlink targets in are internal: not listed, and not writable as xattrs (chmod,
// chown, touch and ln -s own them). Limits are the store's (spec: keys case-insensitive, ASCII values,
// all keys and values of an object at most 8 KiB); a name or value it cannot keep exactly is refused
// (EINVAL, or ENOSPC past the size limit) rather than stored altered. docs/XATTRS.md has the table.

import { FsError } from '../posix/errors.js';
import { GID_KEY, MODE_KEY, MTIME_KEY, SYMLINK_KEY, UID_KEY } from '../posix/attrs.js';

export const GCS_PREFIX = 'user.gcs.';
export const USER_PREFIX = 'user.';
const META_PREFIX = `${GCS_PREFIX}meta.`;

/** The store's bound on all custom metadata of one object, keys and values together. */
export const CUSTOM_METADATA_MAX_BYTES = 8 * 1024;

const INTERNAL = new Set([MODE_KEY, UID_KEY, GID_KEY, MTIME_KEY, SYMLINK_KEY]);

/** Keys the mount manages itself (and every `goog-reserved-` key: that prefix is the service's). */
export function isInternalKey(key: string): boolean {
  return INTERNAL.has(key) || key.startsWith('goog-reserved-');
}

/** The custom-metadata key `name` means, or undefined for a `user.gcs.*` name that is not `meta.`. */
export function customKeyOf(name: string): string | undefined {
  if (name.startsWith(META_PREFIX)) return name.slice(META_PREFIX.length);
  if (name.startsWith(GCS_PREFIX) || !name.startsWith(USER_PREFIX)) return undefined;
  return name.slice(USER_PREFIX.length);
}

/** The xattr name custom metadata `key` is listed under. */
export function nameOfCustomKey(key: string): string {
  // A key that would read back as a user.gcs.* name keeps its explicit form, so it round-trips.
  return key.startsWith('gcs.') ? META_PREFIX + key : USER_PREFIX + key;
}

// HTTP header-name characters (RFC 9110 tchar) in lower case: the store folds key case, so an upper-case
// name would come back different from what was set.
const KEY = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
// Printable ASCII with no surrounding blanks: HTTP trims header values and the XML API is ASCII only.
const VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

/** Throws unless `key` = `value` can be stored as is on an object whose other metadata is `others`. */
export function checkCustom(
  name: string,
  key: string,
  value: string,
  others: Readonly<Record<string, string>>,
): void {
  if (isInternalKey(key)) {
    throw new FsError('perm', `${name} is kept by gcsmount itself (chmod, chown, touch, ln -s set it)`);
  }
  if (!KEY.test(key)) {
    throw new FsError(
      'invalid',
      `${name}: custom metadata names are lower-case letters, digits and !#$%&'*+.^_\`|~- (the store folds case)`,
    );
  }
  if (!VALUE.test(value)) {
    throw new FsError(
      'invalid',
      `${name}: the value must be printable ASCII text without leading or trailing blanks (an HTTP header)`,
    );
  }
  let total = key.length + value.length;
  for (const [k, v] of Object.entries(others)) if (k !== key) total += k.length + v.length;
  if (total > CUSTOM_METADATA_MAX_BYTES) {
    throw new FsError(
      'no-space',
      `${name}: all custom metadata of an object may take ${CUSTOM_METADATA_MAX_BYTES} bytes; this would be ${total}`,
    );
  }
}
