// A StorageBackend wrapper that can hold the answer of a call after the inner backend computed it and
// before the caller sees it: a slow response, which answers with what was true when the call started.
// Tests of races (a stat overtaken by a write, a listing overtaken by a delete) use it instead of timers.

import { ForwardingBackend, type BackendMethod } from '../../storage/forwarding-backend.js';
import { paginate } from '../../storage/paginate.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { ListPage } from '../../storage/types.js';

export interface Hold {
  /** Resolves once the held call's answer is computed and waiting. */
  reached: Promise<void>;
  release(): void;
}

interface Pending {
  reach(): void;
  released: Promise<void>;
}

export class HeldAnswers extends ForwardingBackend {
  readonly #pending = new Map<BackendMethod, Pending>();

  /** Holds the answer (or the error) of the next call of `method` until released. */
  holdNext(method: BackendMethod): Hold {
    let reach!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (reach = r));
    const released = new Promise<void>((r) => (release = r));
    this.#pending.set(method, { reach, released });
    return { reached, release };
  }

  protected override async around<T>(
    method: BackendMethod,
    _args: readonly unknown[],
    call: () => Promise<T>,
  ): Promise<T> {
    const outcome = await call().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const pending = this.#pending.get(method);
    if (pending) {
      this.#pending.delete(method);
      pending.reach();
      await pending.released;
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Pages come from this wrapper's listPage, so a held listPage holds a page of a listing too. */
  override list(...[bucket, options = {}]: Parameters<StorageBackend['list']>): AsyncIterable<ListPage> {
    return paginate(bucket, options, (o) => this.listPage(bucket, o));
  }
}
