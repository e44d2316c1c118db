// A StorageBackend decorator that fails chosen calls by rule, for testing the layers above (retries,
// caches, the filesystem) without a network. It owns no state of its own beyond the rules and a call
// log. Rules can fail a call before it reaches the inner backend, after it succeeded there (a lost
// response: the mutation happened, the caller saw an error), or cut a read body short mid-stream.

import { Readable } from 'node:stream';
import type { CallOptions, ObjectReadStream, StorageBackend } from '../backend.js';
import { StorageError } from '../errors.js';
import type { StorageErrorCode } from '../errors.js';
import { ForwardingBackend, type BackendMethod } from '../forwarding-backend.js';
import { paginate } from '../paginate.js';
import type { ListOptions, ListPage } from '../types.js';

export type { BackendMethod };

export interface FaultCall {
  method: BackendMethod;
  args: readonly unknown[];
}

export interface FaultRule {
  method: BackendMethod | '*';
  /** What the caller gets: a code (an injected StorageError), an error, or a factory. */
  error: StorageErrorCode | Error | ((call: FaultCall) => Error);
  /** Let this many matching calls through first (default 0). */
  after?: number;
  /** Fail this many matching calls, then stop (default: every one). */
  times?: number;
  /** Only calls this accepts count as matching (e.g. one object name). */
  match?: (call: FaultCall) => boolean;
  /** 'before' (default): the inner backend is never called. 'after': it is, and its result is dropped. */
  when?: 'before' | 'after';
  /** readObject only: the call succeeds but its body fails after this many bytes (a shorter body ends
   *  cleanly). */
  bodyFailsAfterBytes?: number;
}

interface ActiveRule {
  rule: FaultRule;
  seen: number;
  failed: number;
}

const STATUS: Partial<Record<StorageErrorCode, number>> = {
  'not-found': 404,
  'bucket-not-found': 404,
  'precondition-failed': 412,
  'rate-limited': 429,
  unavailable: 503,
  timeout: 408,
  forbidden: 403,
  unauthenticated: 401,
};

function makeError(rule: FaultRule, call: FaultCall): Error {
  const { error } = rule;
  if (typeof error === 'function') return error(call);
  if (error instanceof Error) return error;
  const status = STATUS[error];
  return new StorageError(error, `injected fault on ${call.method}`, {
    serviceCode: 'InjectedFault',
    ...(status === undefined ? {} : { status }),
  });
}

/** Passes `limit` bytes of the body, then fails it with `error`. highWaterMark 0 makes the stream pull
 *  only when its consumer asks, so the bytes before the cut are delivered before the error is. */
function cutShort(body: ObjectReadStream['body'], limit: number, error: Error): ObjectReadStream['body'] {
  async function* limited(): AsyncGenerator<Buffer> {
    let passed = 0;
    for await (const chunk of body) {
      const buf = Buffer.from(chunk as Uint8Array);
      const room = limit - passed;
      if (buf.length < room) {
        passed += buf.length;
        yield buf;
        continue;
      }
      if (room > 0) yield buf.subarray(0, room);
      throw error;
    }
  }
  return Readable.from(limited(), { objectMode: false, highWaterMark: 0 });
}

export class FaultyBackend extends ForwardingBackend {
  /** Every call that reached this wrapper, in order (faulted or not). */
  readonly calls: FaultCall[] = [];
  #rules: ActiveRule[] = [];

  constructor(inner: StorageBackend, rules: readonly FaultRule[] = []) {
    super(inner);
    for (const r of rules) this.addRule(r);
  }

  /** Adds a rule; returns a function that removes it. */
  addRule(rule: FaultRule): () => void {
    const active: ActiveRule = { rule, seen: 0, failed: 0 };
    this.#rules.push(active);
    return () => {
      this.#rules = this.#rules.filter((r) => r !== active);
    };
  }

  clearRules(): void {
    this.#rules = [];
  }

  callCount(method: BackendMethod): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** The first rule that fires for this call (each rule counts the calls it matches). */
  #fire(call: FaultCall): FaultRule | undefined {
    let fired: FaultRule | undefined;
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.method !== '*' && rule.method !== call.method) continue;
      if (rule.match !== undefined && !rule.match(call)) continue;
      active.seen++;
      if (fired !== undefined) continue;
      if (active.seen <= (rule.after ?? 0)) continue;
      if (active.failed >= (rule.times ?? Infinity)) continue;
      active.failed++;
      fired = rule;
    }
    return fired;
  }

  protected override async around<T>(
    method: BackendMethod,
    args: readonly unknown[],
    invoke: () => Promise<T>,
  ): Promise<T> {
    const call = { method, args };
    this.calls.push(call);
    const rule = this.#fire(call);
    if (rule === undefined || rule.bodyFailsAfterBytes !== undefined) return invoke();
    if (rule.when === 'after') await invoke();
    throw makeError(rule, call);
  }

  override async readObject(...a: Parameters<StorageBackend['readObject']>): Promise<ObjectReadStream> {
    const call = { method: 'readObject' as const, args: a };
    this.calls.push(call);
    const rule = this.#fire(call);
    if (rule === undefined) return this.inner.readObject(...a);
    if (rule.bodyFailsAfterBytes !== undefined) {
      const result = await this.inner.readObject(...a);
      return { ...result, body: cutShort(result.body, rule.bodyFailsAfterBytes, makeError(rule, call)) };
    }
    if (rule.when === 'after') (await this.inner.readObject(...a)).body.destroy();
    throw makeError(rule, call);
  }

  /** Pages come from this wrapper's listPage, so listPage rules apply to each page; a 'list' rule fails
   *  the iteration before its first page. */
  override async *list(bucket: string, options: ListOptions & CallOptions = {}): AsyncIterable<ListPage> {
    const call = { method: 'list' as const, args: [bucket, options] };
    this.calls.push(call);
    const rule = this.#fire(call);
    if (rule !== undefined) throw makeError(rule, call);
    yield* paginate(bucket, options, (o) => this.listPage(bucket, o));
  }
}
