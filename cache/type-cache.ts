// "This name is a file, not a directory" and "this name is a directory" answers, so that a stat of a known
// file needs no directory probe (a LIST), and a stat of a known directory neither the probe nor a HEAD of
// the name (a directory hides a file of the same name): gcsfuse's type cache. It stores; the namespace
// (daemon/fs/namespace.ts) decides what goes in and forgets names the mount itself changes. Changes made by
// other clients show when an entry expires. Same TtlMap and clock as the negative cache beside it, so
// tests move a ManualClock.

import type { Clock } from '../common/clock.js';
import { TtlMap, entryKey, type TtlMs } from './ttl-map.js';

export interface TypeCacheOptions {
  ttlMs: TtlMs;
  maxEntries: number;
  clock: Clock;
}

const FILE = Object.freeze({ file: true });
const DIR = Object.freeze({ file: false });

export class TypeCache {
  readonly #map: TtlMap<typeof FILE | typeof DIR>;

  constructor(options: TypeCacheOptions) {
    this.#map = new TtlMap(options);
  }

  /** A cache that remembers nothing (every lookup probes). */
  static disabled(clock: Clock): TypeCache {
    return new TypeCache({ ttlMs: 0, maxEntries: 0, clock });
  }

  get enabled(): boolean {
    return this.#map.enabled;
  }

  get size(): number {
    return this.#map.size;
  }

  /** True while `name` is known to be a file and not a directory. */
  isFile(bucket: string, name: string): boolean {
    return this.#map.get(entryKey(bucket, name)) === FILE;
  }

  /** True while `name` (without its trailing slash) is known to be a directory. */
  isDir(bucket: string, name: string): boolean {
    return this.#map.get(entryKey(bucket, name)) === DIR;
  }

  /** Remembers `name` as a directory for the TTL, from now. */
  addDir(bucket: string, name: string): void {
    this.#map.set(entryKey(bucket, name), DIR);
  }

  /** Forgets every name under `dirPrefix` (ending with '/'): a scan, for directory renames and rmdir. */
  deleteUnder(bucket: string, dirPrefix: string): void {
    this.#map.deletePrefix(entryKey(bucket, dirPrefix));
  }

  /** Remembers `name` as a file for the TTL, from now. */
  addFile(bucket: string, name: string): void {
    this.#map.set(entryKey(bucket, name), FILE);
  }

  delete(bucket: string, name: string): void {
    this.#map.delete(entryKey(bucket, name));
  }

  clear(): void {
    this.#map.clear();
  }
}
