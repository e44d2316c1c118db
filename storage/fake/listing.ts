// The listing algorithm of spec §3.5 over a sorted array of names: prefix, delimiter roll-up into common
// prefixes, page size counting objects and prefixes together, and resuming after a position. A position
// inside a rolled-up group skips the whole group, so resuming after a common prefix never repeats it.
// Pure; the fake's page token is just the last emitted entry, encoded.

import { StorageError } from '../errors.js';
import { compareNames } from './names.js';
import { partitionPoint } from '../../common/partition-point.js';

export interface ListingQuery {
  prefix: string;
  delimiter?: string;
  pageSize: number;
  /** Resume strictly after this name (or common prefix). */
  after?: string;
}

export interface ListingSlice {
  names: string[];
  prefixes: string[];
  /** The last emitted entry, present only when more entries follow. */
  resumeAfter?: string;
}

/** Index of the first name that is >= `bound` (or > when `strict`) in byte order. */
function search(sorted: readonly string[], bound: string, strict: boolean): number {
  return partitionPoint(0, sorted.length, (i) => {
    const c = compareNames(sorted[i] ?? '', bound);
    return c < 0 || (strict && c === 0);
  });
}

function groupOf(name: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (delimiter === undefined || delimiter === '' || !name.startsWith(prefix)) return undefined;
  const at = name.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : name.slice(0, at + delimiter.length);
}

export function listNames(sorted: readonly string[], query: ListingQuery): ListingSlice {
  const { prefix, delimiter, pageSize } = query;
  // Names having the prefix are contiguous in byte order and start at the first name >= prefix.
  let i = search(sorted, prefix, false);
  if (query.after !== undefined) i = Math.max(i, search(sorted, query.after, true));

  let skipGroup = query.after === undefined ? undefined : groupOf(query.after, prefix, delimiter);
  const slice: ListingSlice = { names: [], prefixes: [] };
  let emitted = 0;
  let last: string | undefined;
  for (; i < sorted.length; i++) {
    const name = sorted[i] ?? '';
    if (!name.startsWith(prefix)) break;
    if (skipGroup !== undefined && name.startsWith(skipGroup)) continue;
    const group = groupOf(name, prefix, delimiter);
    const entry = group ?? name;
    if (emitted === pageSize) {
      if (last !== undefined) slice.resumeAfter = last;
      break;
    }
    if (group === undefined) slice.names.push(name);
    else {
      slice.prefixes.push(group);
      skipGroup = group;
    }
    last = entry;
    emitted++;
  }
  return slice;
}

const TOKEN_PREFIX = 'mem1:';

export function encodePageToken(after: string): string {
  return TOKEN_PREFIX + Buffer.from(after, 'utf8').toString('base64url');
}

export function decodePageToken(token: string): string {
  if (!token.startsWith(TOKEN_PREFIX)) {
    throw new StorageError('invalid-argument', 'unknown page token', { serviceCode: 'InvalidArgument' });
  }
  return Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8');
}
