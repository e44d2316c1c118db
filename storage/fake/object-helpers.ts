// Small rules the memory backend applies to every object operation: precondition checks, how writable
// metadata lands on stored metadata (with the 8 KiB custom-metadata limit), defensive copies, abort
// checks and draining an UploadSource. Separate from the backend so that file stays about operations.

import type { Readable } from 'node:stream';
import { isGrowing } from '../backend.js';
import type { CallOptions, WriteSource } from '../backend.js';
import { StorageError, checkAborted } from '../errors.js';
import { WRITABLE_FIELDS, type ObjectMeta, type Preconditions, type WritableMetadata } from '../types.js';

export const MAX_CUSTOM_METADATA_BYTES = 8 * 1024;

function sameGeneration(a: string, b: string): boolean {
  if (!/^[0-9]+$/.test(b)) throw new StorageError('invalid-argument', `bad generation ${JSON.stringify(b)}`);
  return BigInt(a) === BigInt(b);
}

/** Throws 'precondition-failed' unless `live` (the current object, if any) satisfies the preconditions. */
export function checkPreconditions(
  live: ObjectMeta | undefined,
  pre: Preconditions,
  bucket: string,
  object: string,
): void {
  const fail = (why: string): never => {
    throw new StorageError('precondition-failed', `${bucket}/${object}: ${why}`, {
      bucket,
      object,
      status: 412,
      serviceCode: 'PreconditionFailed',
    });
  };
  const g = pre.ifGenerationMatch;
  if (g !== undefined) {
    if (sameGeneration('0', g)) {
      if (live !== undefined) fail(`exists (generation ${live.generation})`);
    } else if (live === undefined) fail(`does not exist (wanted generation ${g})`);
    else if (!sameGeneration(live.generation, g)) fail(`generation is ${live.generation}, not ${g}`);
  }
  const m = pre.ifMetagenerationMatch;
  if (m !== undefined) {
    if (live === undefined) fail(`does not exist (wanted metageneration ${m})`);
    else if (!sameGeneration(live.metageneration, m))
      fail(`metageneration is ${live.metageneration}, not ${m}`);
  }
}

/** Writes `w` onto stored metadata (which starts from defaults); custom keys are lower-cased. */
export function applyMetadata(meta: ObjectMeta, w: WritableMetadata, defaultStorageClass: string): void {
  for (const k of WRITABLE_FIELDS) {
    const v = w[k];
    if (v !== undefined) meta[k] = v;
  }
  meta.storageClass = w.storageClass ?? defaultStorageClass;
  const custom: Record<string, string> = {};
  let bytes = 0;
  for (const [k, v] of Object.entries(w.metadata ?? {})) {
    custom[k.toLowerCase()] = v;
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (bytes > MAX_CUSTOM_METADATA_BYTES) {
    throw new StorageError(
      'too-large',
      `custom metadata is ${bytes} bytes (limit ${MAX_CUSTOM_METADATA_BYTES})`,
      {
        bucket: meta.bucket,
        object: meta.name,
        serviceCode: 'MetadataTooLarge',
      },
    );
  }
  meta.metadata = custom;
}

export function cloneMeta(meta: ObjectMeta): ObjectMeta {
  return { ...meta, updated: new Date(meta.updated), metadata: { ...meta.metadata } };
}

/** The whole upload as one private Buffer. A source that delivers a size other than it announced is an
 *  'integrity' failure (the service's IncompleteBody); an abort destroys the source and rejects. */
export async function readSource(source: WriteSource, signal: AbortSignal | undefined): Promise<Buffer> {
  if (Buffer.isBuffer(source)) return Buffer.from(source);
  if (isGrowing(source)) {
    // The fake has no sessions: it waits for the end and takes the bytes in one piece.
    await source.wait(Infinity, signal);
    checkAborted(signal);
    return source.read(0, source.total() ?? source.available());
  }
  const stream: Readable = source.open(0);
  const onAbort = (): void => {
    stream.destroy(new StorageError('aborted', 'upload aborted', { cause: signal?.reason }));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(Buffer.from(chunk as Uint8Array));
    const data = Buffer.concat(parts);
    if (data.length !== source.size) {
      throw new StorageError(
        'integrity',
        `upload source announced ${source.size} bytes and gave ${data.length}`,
        {
          serviceCode: 'IncompleteBody',
        },
      );
    }
    return data;
  } catch (e) {
    checkAborted(signal);
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Runs a synchronous step as a call: asynchronous like the real thing, 'aborted' if already aborted, and
 *  the step's exceptions as rejections. The step itself is atomic (no await inside). */
export async function run<T>(options: CallOptions, step: () => T): Promise<T> {
  await Promise.resolve();
  checkAborted(options.signal);
  return step();
}

/** A metadata-only update (JSON-API style): identity, size and hashes stay, the metageneration goes up,
 *  and every writable field starts over from defaults (applyMetadata then fills it in). */
export function sameGenerationMeta(old: ObjectMeta, now: number): ObjectMeta {
  const { bucket, name, size, generation, etag, md5, crc32c, componentCount } = old;
  return {
    bucket,
    name,
    size,
    generation,
    etag,
    metageneration: String(Number(old.metageneration) + 1),
    updated: new Date(now),
    contentType: 'application/octet-stream',
    metadata: {},
    ...(md5 === undefined ? {} : { md5 }),
    ...(crc32c === undefined ? {} : { crc32c }),
    ...(componentCount === undefined ? {} : { componentCount }),
  };
}
