// The base of every StorageBackend decorator (caching, metrics, fault injection): each method forwards to
// the inner backend unchanged, so a decorator overrides only what it changes and the interface is listed
// once here, not again in each decorator. A decorator that treats every call alike (timing it, failing it
// by rule) overrides the one hook `around` instead of each method. `list` returns pages, not a promise, so
// it does not pass through the hook: a decorator that wants every page of a listing to pass through its own
// listPage overrides `list` with `paginate` (storage/paginate.ts).

import type { StorageBackend } from './backend.js';

export type BackendMethod = keyof StorageBackend;
type Args<K extends BackendMethod> = Parameters<StorageBackend[K]>;
type Result<K extends BackendMethod> = ReturnType<StorageBackend[K]>;

export class ForwardingBackend implements StorageBackend {
  protected readonly inner: StorageBackend;

  constructor(inner: StorageBackend) {
    this.inner = inner;
  }

  /** Every call but `list` runs through here: `call` forwards it to the inner backend. */
  protected around<T>(_method: BackendMethod, _args: readonly unknown[], call: () => Promise<T>): Promise<T> {
    return call();
  }

  listBuckets(...a: Args<'listBuckets'>): Result<'listBuckets'> {
    return this.around('listBuckets', a, () => this.inner.listBuckets(...a));
  }
  createBucket(...a: Args<'createBucket'>): Result<'createBucket'> {
    return this.around('createBucket', a, () => this.inner.createBucket(...a));
  }
  headBucket(...a: Args<'headBucket'>): Result<'headBucket'> {
    return this.around('headBucket', a, () => this.inner.headBucket(...a));
  }
  deleteBucket(...a: Args<'deleteBucket'>): Result<'deleteBucket'> {
    return this.around('deleteBucket', a, () => this.inner.deleteBucket(...a));
  }
  listPage(...a: Args<'listPage'>): Result<'listPage'> {
    return this.around('listPage', a, () => this.inner.listPage(...a));
  }
  list(...a: Args<'list'>): Result<'list'> {
    return this.inner.list(...a);
  }
  statObject(...a: Args<'statObject'>): Result<'statObject'> {
    return this.around('statObject', a, () => this.inner.statObject(...a));
  }
  readObject(...a: Args<'readObject'>): Result<'readObject'> {
    return this.around('readObject', a, () => this.inner.readObject(...a));
  }
  writeObject(...a: Args<'writeObject'>): Result<'writeObject'> {
    return this.around('writeObject', a, () => this.inner.writeObject(...a));
  }
  copyObject(...a: Args<'copyObject'>): Result<'copyObject'> {
    return this.around('copyObject', a, () => this.inner.copyObject(...a));
  }
  composeObject(...a: Args<'composeObject'>): Result<'composeObject'> {
    return this.around('composeObject', a, () => this.inner.composeObject(...a));
  }
  updateObjectMetadata(...a: Args<'updateObjectMetadata'>): Result<'updateObjectMetadata'> {
    return this.around('updateObjectMetadata', a, () => this.inner.updateObjectMetadata(...a));
  }
  deleteObject(...a: Args<'deleteObject'>): Result<'deleteObject'> {
    return this.around('deleteObject', a, () => this.inner.deleteObject(...a));
  }
  cancelUpload(...a: Args<'cancelUpload'>): Result<'cancelUpload'> {
    return this.around('cancelUpload', a, () => this.inner.cancelUpload(...a));
  }
  getAcl(...a: Args<'getAcl'>): Result<'getAcl'> {
    return this.around('getAcl', a, () => this.inner.getAcl(...a));
  }
  setAcl(...a: Args<'setAcl'>): Result<'setAcl'> {
    return this.around('setAcl', a, () => this.inner.setAcl(...a));
  }
}
