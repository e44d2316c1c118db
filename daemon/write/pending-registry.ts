// Pending objects by bucket and name: the one place a path finds the write state of its object. Rename
// re-keys an entry (its descriptors follow the file), unlink takes it out of the name space while its
// descriptors keep it alive; an entry ends when its last descriptor is released.

import type { Generation, ObjectMeta } from '../../storage/types.js';
import { PendingObject } from './pending-object.js';

const id = (bucket: string, key: string): string => `${bucket}\u0000${key}`;

export class PendingRegistry {
  readonly #byName = new Map<string, PendingObject>();
  /** Entries still referenced by descriptors, named or not (unlinked ones too). */
  readonly #live = new Set<PendingObject>();

  get(bucket: string, key: string): PendingObject | undefined {
    return this.#byName.get(id(bucket, key));
  }

  /** The entry of the object, made if there is none yet. */
  obtain(
    bucket: string,
    key: string,
    base: Generation,
    meta: ObjectMeta | undefined,
    now: Date,
  ): { entry: PendingObject; created: boolean } {
    const existing = this.get(bucket, key);
    if (existing) return { entry: existing, created: false };
    const entry = new PendingObject(bucket, key, base, meta, now);
    this.#byName.set(id(bucket, key), entry);
    this.#live.add(entry);
    return { entry, created: true };
  }

  /** The entry now answers to a new name; an entry already there loses its name (rename over it). */
  rekey(entry: PendingObject, bucket: string, key: string): void {
    const displaced = this.get(bucket, key);
    if (displaced && displaced !== entry) this.unlink(displaced);
    if (!entry.unlinked) this.#byName.delete(id(entry.bucket, entry.key));
    entry.bucket = bucket;
    entry.key = key;
    if (!entry.unlinked) this.#byName.set(id(bucket, key), entry);
  }

  /** The name is gone; the entry lives on for its descriptors and is never uploaded. */
  unlink(entry: PendingObject): void {
    if (this.get(entry.bucket, entry.key) === entry) this.#byName.delete(id(entry.bucket, entry.key));
    entry.unlinked = true;
  }

  /** The last descriptor let go. */
  end(entry: PendingObject): void {
    if (this.get(entry.bucket, entry.key) === entry) this.#byName.delete(id(entry.bucket, entry.key));
    this.#live.delete(entry);
  }

  /** Named entries whose names start with `prefix` in `bucket` (readdir shows files not yet uploaded). */
  under(bucket: string, prefix: string): PendingObject[] {
    return [...this.#byName.values()].filter((e) => e.bucket === bucket && e.key.startsWith(prefix));
  }

  /** Every live entry, unlinked ones included. */
  all(): PendingObject[] {
    return [...this.#live];
  }
}
