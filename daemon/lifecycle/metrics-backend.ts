// A StorageBackend decorator that reports every Cloud Storage request to the metrics: method name,
// outcome (ok, or the StorageError code: not-found, precondition-failed, ...) and duration. It wraps the
// raw XML client, below the caches, so it counts what really goes over the wire; it changes no result.
// A listing counts one request per page; a read counts when its stream opens (bytes flow after).

import { isStorageError } from '../../storage/errors.js';
import type { StorageBackend } from '../../storage/backend.js';

export type RequestObserver = (method: string, outcome: string, seconds: number) => void;

type P<K extends keyof StorageBackend> = Parameters<StorageBackend[K]>;

export function outcomeOf(err: unknown): string {
  return isStorageError(err) ? err.code : 'error';
}

export class MetricsBackend implements StorageBackend {
  readonly #inner: StorageBackend;
  readonly #observe: RequestObserver;

  constructor(inner: StorageBackend, observe: RequestObserver) {
    this.#inner = inner;
    this.#observe = observe;
  }

  async #timed<T>(method: string, work: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - start) / 1e9;
    try {
      const result = await work();
      this.#observe(method, 'ok', seconds());
      return result;
    } catch (err) {
      this.#observe(method, outcomeOf(err), seconds());
      throw err;
    }
  }

  listBuckets(...a: P<'listBuckets'>): ReturnType<StorageBackend['listBuckets']> {
    return this.#timed('listBuckets', () => this.#inner.listBuckets(...a));
  }
  createBucket(...a: P<'createBucket'>): ReturnType<StorageBackend['createBucket']> {
    return this.#timed('createBucket', () => this.#inner.createBucket(...a));
  }
  headBucket(...a: P<'headBucket'>): ReturnType<StorageBackend['headBucket']> {
    return this.#timed('headBucket', () => this.#inner.headBucket(...a));
  }
  deleteBucket(...a: P<'deleteBucket'>): ReturnType<StorageBackend['deleteBucket']> {
    return this.#timed('deleteBucket', () => this.#inner.deleteBucket(...a));
  }
  listPage(...a: P<'listPage'>): ReturnType<StorageBackend['listPage']> {
    return this.#timed('listPage', () => this.#inner.listPage(...a));
  }
  async *list(...a: P<'list'>): ReturnType<StorageBackend['list']> {
    const pages = this.#inner.list(...a)[Symbol.asyncIterator]();
    for (;;) {
      const start = process.hrtime.bigint();
      let next: IteratorResult<Awaited<ReturnType<StorageBackend['listPage']>>>;
      try {
        next = await pages.next();
      } catch (err) {
        this.#observe('listPage', outcomeOf(err), Number(process.hrtime.bigint() - start) / 1e9);
        throw err;
      }
      // The step that only says "no more pages" sent nothing.
      if (next.done === true) return;
      this.#observe('listPage', 'ok', Number(process.hrtime.bigint() - start) / 1e9);
      yield next.value;
    }
  }
  statObject(...a: P<'statObject'>): ReturnType<StorageBackend['statObject']> {
    return this.#timed('statObject', () => this.#inner.statObject(...a));
  }
  readObject(...a: P<'readObject'>): ReturnType<StorageBackend['readObject']> {
    return this.#timed('readObject', () => this.#inner.readObject(...a));
  }
  writeObject(...a: P<'writeObject'>): ReturnType<StorageBackend['writeObject']> {
    return this.#timed('writeObject', () => this.#inner.writeObject(...a));
  }
  copyObject(...a: P<'copyObject'>): ReturnType<StorageBackend['copyObject']> {
    return this.#timed('copyObject', () => this.#inner.copyObject(...a));
  }
  composeObject(...a: P<'composeObject'>): ReturnType<StorageBackend['composeObject']> {
    return this.#timed('composeObject', () => this.#inner.composeObject(...a));
  }
  updateObjectMetadata(...a: P<'updateObjectMetadata'>): ReturnType<StorageBackend['updateObjectMetadata']> {
    return this.#timed('updateObjectMetadata', () => this.#inner.updateObjectMetadata(...a));
  }
  deleteObject(...a: P<'deleteObject'>): ReturnType<StorageBackend['deleteObject']> {
    return this.#timed('deleteObject', () => this.#inner.deleteObject(...a));
  }
  getAcl(...a: P<'getAcl'>): ReturnType<StorageBackend['getAcl']> {
    return this.#timed('getAcl', () => this.#inner.getAcl(...a));
  }
  setAcl(...a: P<'setAcl'>): ReturnType<StorageBackend['setAcl']> {
    return this.#timed('setAcl', () => this.#inner.setAcl(...a));
  }
}
