// A bounded set of (bucket, name) whose members expire by the injected clock. Two caches are built from
// it (daemon/assemble.ts): the negative cache, "this name does not exist" (cached-backend.ts decides what
// goes in; a short TTL of its own, gcsfuse's 5 s, because the answer goes stale the moment another client
// creates the name), and the type cache, "this name is a file, not a directory", so that a stat of a
// known file needs no directory probe (daemon/fs/namespace.ts decides what goes in and forgets names the
// mount itself changes). Both store only; changes made by other clients show when a member expires.

import type { Clock } from '../common/clock.js';
import { NameMap } from './name-map.js';
import { entryKey } from './ttl-map.js';

const MEMBER = Object.freeze({ member: true });

export class NameSet extends NameMap<typeof MEMBER> {
  /** A set that remembers nothing (every question is asked of the store). */
  static disabled(clock: Clock): NameSet {
    return new NameSet({ ttlMs: 0, maxEntries: 0, clock });
  }

  /** True while the name is a member (added less than the TTL ago, and not deleted since). */
  has(bucket: string, name: string): boolean {
    return this.map.get(entryKey(bucket, name)) !== undefined;
  }

  /** Adds the name for the TTL, from now. */
  add(bucket: string, name: string): void {
    this.map.set(entryKey(bucket, name), MEMBER);
  }
}
