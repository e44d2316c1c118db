// A StorageBackend decorator that reports every Cloud Storage request to the metrics: method name,
// outcome (ok, or the StorageError code: not-found, precondition-failed, ...) and duration. It wraps the
// raw XML client, below the caches, so it counts what really goes over the wire; it changes no result.
// A listing counts one request per page; a read counts when its stream opens (bytes flow after). Bytes
// are counted too: received as a read's body flows (through a counting Transform), sent as an upload
// succeeds (its object's size; the bytes of failed attempts are not counted).

import { Transform, pipeline } from 'node:stream';
import type { ObjectReadStream, StorageBackend } from '../../storage/backend.js';
import { isStorageError } from '../../storage/errors.js';
import { ForwardingBackend, type BackendMethod } from '../../storage/forwarding-backend.js';
import { paginate } from '../../storage/paginate.js';
import type { ListPage } from '../../storage/types.js';

export type RequestObserver = (method: string, outcome: string, seconds: number) => void;
export type BytesObserver = (direction: 'received' | 'sent', bytes: number) => void;

export function outcomeOf(err: unknown): string {
  return isStorageError(err) ? err.code : 'error';
}

export class MetricsBackend extends ForwardingBackend {
  readonly #observe: RequestObserver;
  readonly #bytes: BytesObserver | undefined;

  constructor(inner: StorageBackend, observe: RequestObserver, bytes?: BytesObserver) {
    super(inner);
    this.#observe = observe;
    this.#bytes = bytes;
  }

  override async readObject(...a: Parameters<StorageBackend['readObject']>): Promise<ObjectReadStream> {
    const r = await super.readObject(...a);
    const count = this.#bytes;
    if (!count) return r;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        count('received', chunk.length);
        done(null, chunk);
      },
    });
    // pipeline: a reader that destroys the counted stream (a cancelled read-ahead) destroys the body too.
    pipeline(r.body, counter, () => undefined);
    return { ...r, body: counter };
  }

  override async writeObject(
    ...a: Parameters<StorageBackend['writeObject']>
  ): ReturnType<StorageBackend['writeObject']> {
    const meta = await super.writeObject(...a);
    this.#bytes?.('sent', meta.size);
    return meta;
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
