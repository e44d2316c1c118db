// A StorageBackend decorator that reports every Cloud Storage request to the metrics: method name,
// outcome (ok, or the StorageError code: not-found, precondition-failed, ...) and duration. It wraps the
// raw XML client, below the caches, so it counts what really goes over the wire; it changes no result.
// A listing counts one request per page; a read counts when its stream opens (bytes flow after).

import type { StorageBackend } from '../../storage/backend.js';
import { isStorageError } from '../../storage/errors.js';
import { ForwardingBackend, type BackendMethod } from '../../storage/forwarding-backend.js';
import { paginate } from '../../storage/paginate.js';
import type { ListPage } from '../../storage/types.js';

export type RequestObserver = (method: string, outcome: string, seconds: number) => void;

export function outcomeOf(err: unknown): string {
  return isStorageError(err) ? err.code : 'error';
}

export class MetricsBackend extends ForwardingBackend {
  readonly #observe: RequestObserver;

  constructor(inner: StorageBackend, observe: RequestObserver) {
    super(inner);
    this.#observe = observe;
  }

  protected override async around<T>(
    method: BackendMethod,
    _args: readonly unknown[],
    call: () => Promise<T>,
  ): Promise<T> {
    const start = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - start) / 1e9;
    try {
      const result = await call();
      this.#observe(method, 'ok', seconds());
      return result;
    } catch (err) {
      this.#observe(method, outcomeOf(err), seconds());
      throw err;
    }
  }

  /** Each page is this decorator's listPage, so a listing counts one request per page it fetched. */
  override list(...[bucket, options = {}]: Parameters<StorageBackend['list']>): AsyncIterable<ListPage> {
    return paginate(bucket, options, (o) => this.listPage(bucket, o));
  }
}
