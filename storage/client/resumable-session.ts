// One resumable session of the XML API (spec 6.1), shared by the upload of a known size (uploads.ts) and
// the streaming upload of a growing source (streaming-upload.ts): the start (POST with
// `x-goog-resumable: start`, answered with the session's Location), a chunk or a status query (a PUT with
// Content-Range: 308 with the persisted Range, or the finished object), what the finishing answer means
// (the store's hashes must be the bytes' own; a lost one is settled by asking the session, then the
// object), and the best-effort cancel (DELETE, 499). What to send when is the callers'.

import { defined } from '../../common/defined.js';
import type { WriteOptions } from '../backend.js';
import type { ObjectHashes } from '../checksums.js';
import { StorageError } from '../errors.js';
import type { ObjectMeta } from '../types.js';
import { callEmpty, exchangeOnce, type ClientContext } from './exchange.js';
import { header, writeHeaders, type ResponseHeaders } from './headers.js';
import { discard } from './http.js';
import { objectPath } from './objects.js';
import { adoptIfOurs, checkStored, mayHaveFinished, type UploadResult } from './upload-outcome.js';

export type ChunkOutcome =
  { done: true; headers: ResponseHeaders; meta?: ObjectMeta } | { done: false; persisted: number };

/** A chunk's (or a status query's) answer: 308 with the bytes persisted (no Range: none), else done. */
export function outcome(status: number, headers: ResponseHeaders): ChunkOutcome {
  if (status !== 308) return { done: true, headers };
  const range = /^bytes=0-(\d+)$/.exec(header(headers, 'range')?.trim() ?? '');
  return { done: false, persisted: range?.[1] === undefined ? 0 : Number(range[1]) + 1 };
}

export class ResumableSession {
  readonly #ctx: ClientContext;
  readonly #bucket: string;
  readonly #name: string;
  readonly #options: WriteOptions;

  private constructor(
    ctx: ClientContext,
    bucket: string,
    name: string,
    options: WriteOptions,
    readonly url: URL,
  ) {
    this.#ctx = ctx;
    this.#bucket = bucket;
    this.#name = name;
    this.#options = options;
  }

  /** A new session, with the write's metadata and preconditions (they are fixed from here on). */
  static async start(
    ctx: ClientContext,
    bucket: string,
    name: string,
    options: WriteOptions,
  ): Promise<ResumableSession> {
    const started = await callEmpty(ctx, {
      method: 'POST',
      path: objectPath(bucket, name),
      headers: { ...writeHeaders(options), 'x-goog-resumable': 'start' },
      safety: { kind: 'resumable-start' },
      errorContext: { resource: 'object', bucket, object: name },
      signal: options.signal,
    });
    const location = header(started.headers, 'location');
    if (location === undefined) throw new StorageError('unavailable', 'resumable start returned no Location');
    return new ResumableSession(ctx, bucket, name, options, new URL(location, ctx.endpoint));
  }

  /** A session started earlier (maybe by a run that died), by its URL. */
  static resume(
    ctx: ClientContext,
    bucket: string,
    name: string,
    url: string,
    options: WriteOptions,
  ): ResumableSession {
    return new ResumableSession(ctx, bucket, name, options, new URL(url, ctx.endpoint));
  }

  /** One PUT to the session: a chunk (`bytes a-b/N`, `bytes a-b/*`) or, without a body, a status query
   *  or the finishing `bytes *\/N`. */
  async put(range: string, body?: Buffer): Promise<ChunkOutcome> {
    const res = await exchangeOnce(this.#ctx, {
      method: 'PUT',
      path: objectPath(this.#bucket, this.#name),
      url: this.url,
      headers: { 'content-range': range },
      ...defined({ body }),
      safety: { kind: 'resumable-chunk' },
      errorContext: { resource: 'object', bucket: this.#bucket, object: this.#name },
      accept: [308],
      signal: this.#options.signal,
    });
    discard(res.body);
    return outcome(res.status, res.headers);
  }

  /** Where the session stands (`total`: undefined while it is not known). */
  status(total: number | undefined): Promise<ChunkOutcome> {
    return this.put(`bytes */${String(total ?? '*')}`);
  }

  /** The upload's result from its finishing answer; `hashes` undefined: not every byte was sent. */
  finished(result: ChunkOutcome & { done: true }, hashes: ObjectHashes | undefined): UploadResult {
    if (hashes === undefined)
      throw new StorageError('unavailable', 'upload finished before all bytes were sent');
    if (result.meta !== undefined) return { headers: {}, hashes, meta: result.meta };
    checkStored(result.headers, hashes, this.#name);
    return { headers: result.headers, hashes };
  }

  /** The last chunk's answer never came: the session's status says whether it finished (spec 6.1: 200
   *  with the object), and a session already gone leaves the object's HEAD to say. */
  async settle(
    e: unknown,
    total: number | undefined,
    hashes: ObjectHashes | undefined,
  ): Promise<UploadResult | undefined> {
    if (!mayHaveFinished(e, false) || hashes === undefined || total === undefined) return undefined;
    try {
      const status = await this.status(total);
      return status.done ? this.finished(status, hashes) : undefined;
    } catch {
      const meta = await adoptIfOurs(this.#ctx, this.#bucket, this.#name, hashes, this.#options);
      return meta === undefined ? undefined : { headers: {}, hashes, meta };
    }
  }

  /** Best effort, outside the caller's (maybe aborted) signal: a dangling session holds storage for a week. */
  cancel(): void {
    cancelSession(this.#ctx, this.url).catch(() => undefined);
  }
}

/** DELETE of a session (499: cancelled; 404: gone already, or finished; either is no error). */
export async function cancelSession(ctx: ClientContext, url: URL, signal?: AbortSignal): Promise<void> {
  const res = await exchangeOnce(ctx, {
    method: 'DELETE',
    path: url.pathname,
    url,
    safety: { kind: 'cancel' },
    accept: [499, 404],
    ...defined({ signal }),
  });
  discard(res.body);
}
