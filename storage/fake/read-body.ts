// The body of a fake read: the range rules of spec §4.2 (end clamped, a start at or past the end is
// 416, which includes every range on an empty object) and a Readable of private copies that an
// AbortSignal destroys with 'aborted'. Kept apart so the backend file stays about state changes.

import { Readable } from 'node:stream';
import { StorageError } from '../errors.js';
import type { ByteRange } from '../types.js';

const CHUNK = 64 * 1024;

/** The bytes a range selects; throws 'invalid-argument' or 'range-not-satisfiable'. */
export function selectRange(
  data: Buffer,
  range: ByteRange | undefined,
  bucket: string,
  object: string,
): Buffer {
  if (range === undefined) return data;
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) ||
    start < 0 ||
    (end !== undefined && (!Number.isSafeInteger(end) || end < start))
  ) {
    throw new StorageError('invalid-argument', `bad range ${JSON.stringify(range)}`, { bucket, object });
  }
  if (start >= data.length) {
    throw new StorageError(
      'range-not-satisfiable',
      `range starts at ${start}, object has ${data.length} bytes`,
      {
        bucket,
        object,
        status: 416,
        serviceCode: 'InvalidRange',
      },
    );
  }
  return data.subarray(start, Math.min(data.length, (end ?? data.length - 1) + 1));
}

function* chunks(data: Buffer): Generator<Buffer> {
  // Copies, so a consumer that writes into a chunk cannot change the stored object.
  for (let at = 0; at < data.length; at += CHUNK) yield Buffer.from(data.subarray(at, at + CHUNK));
}

export function bodyStream(
  data: Buffer,
  signal: AbortSignal | undefined,
  bucket: string,
  object: string,
): Readable {
  const body = Readable.from(chunks(data), { objectMode: false });
  if (signal !== undefined) {
    const onAbort = (): void => {
      body.destroy(new StorageError('aborted', 'read aborted', { bucket, object, cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    body.once('close', () => {
      signal.removeEventListener('abort', onAbort);
    });
  }
  return body;
}
