// A StorageBackend wrapper that counts every call by method name and forwards it unchanged, so a test can
// assert how many requests an operation cost (a cache hit: none; `stat` of a file: one HEAD, ...). It
// wraps any backend, usually the in-memory fake, and counts each page a listing actually fetched.

import type { StorageBackend } from '../../storage/backend.js';

export type Method = keyof StorageBackend;

export interface Counted {
  backend: StorageBackend;
  /** Calls per method since the last reset; `list` counts pages fetched, under `listPage`. */
  counts(): Partial<Record<Method, number>>;
  /** Total calls since the last reset. */
  total(): number;
  reset(): void;
}

export function counting(inner: StorageBackend): Counted {
  let seen = new Map<Method, number>();
  const bump = (m: Method): void => {
    seen.set(m, (seen.get(m) ?? 0) + 1);
  };
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const method = prop as Method;
      if (method === 'list') {
        // Every page of a listing is one request: count the pages as they are fetched.
        return (bucket: string, options?: Parameters<StorageBackend['list']>[1]) =>
          (async function* pages() {
            for await (const page of target.list(bucket, options)) {
              bump('listPage');
              yield page;
            }
          })();
      }
      return (...args: unknown[]) => {
        bump(method);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    backend,
    counts: () => Object.fromEntries(seen),
    total: () => [...seen.values()].reduce((a, b) => a + b, 0),
    reset: () => {
      seen = new Map();
    },
  };
}
