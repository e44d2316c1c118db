// Names of cached blocks: bucket + object + generation + block index, so a remote overwrite (a new
// generation) can never be served the old bytes. Also the per-object index both block stores keep so that
// invalidating an object finds every block of every generation without scanning the whole cache.
// Ids are JSON arrays: unambiguous for any object name, whatever characters it holds.

import type { Generation } from '../storage/types.js';

export interface BlockKey {
  bucket: string;
  object: string;
  generation: Generation;
  index: number;
}

/** A string naming one block; equal keys give equal ids. */
export function blockId(key: BlockKey): string {
  return JSON.stringify([key.bucket, key.object, key.generation, key.index]);
}

/** A string naming one object (all generations). */
export function objectId(bucket: string, object: string): string {
  return JSON.stringify([bucket, object]);
}

/** object id -> ids of its cached blocks. */
export class ObjectIndex {
  #byObject = new Map<string, Set<string>>();

  add(object: string, block: string): void {
    let blocks = this.#byObject.get(object);
    if (!blocks) {
      blocks = new Set();
      this.#byObject.set(object, blocks);
    }
    blocks.add(block);
  }

  remove(object: string, block: string): void {
    const blocks = this.#byObject.get(object);
    if (!blocks) return;
    blocks.delete(block);
    if (blocks.size === 0) this.#byObject.delete(object);
  }

  /** Ids of the object's blocks (a copy: callers delete while iterating). */
  blocksOf(object: string): string[] {
    return [...(this.#byObject.get(object) ?? [])];
  }

  /** Number of objects with at least one block. */
  get objects(): number {
    return this.#byObject.size;
  }

  clear(): void {
    this.#byObject.clear();
  }
}
