// The body of a download as one Readable that survives a dropped connection: when the current response
// fails mid-body (reset, stall timeout, truncation) it asks `reopen(offset)` for the rest, which the caller
// pins to the same generation, so the bytes can never splice two versions. On whole-object reads it checks
// crc32c (and md5 when the object has one) and fails the stream with 'integrity' instead of ending cleanly.

import { Readable } from 'node:stream';
import { Hasher, verifyHashes } from '../checksums.js';
import type { ObjectHashes } from '../checksums.js';
import { StorageError } from '../errors.js';
import { transportError } from './http.js';
import { isTransient } from './retry-policy.js';

export interface ResumingBodyOptions {
  first: Readable;
  /** Absolute offset of the first byte of `first`, and one past the last byte wanted. */
  start: number;
  end: number;
  /** First byte to deliver (default `start`); earlier bytes are hashed but not passed on (a server that
   *  ignored Range sent them). */
  from?: number;
  /** Opens the remainder from an absolute offset (the caller retries and pins the generation). */
  reopen: (offset: number) => Promise<Readable>;
  /** Hashes of the whole object when the read covers all of it. */
  expected?: ObjectHashes;
  /** Resumptions allowed over the life of the stream (each reopen has its own retries). */
  maxResumes: number;
  signal?: AbortSignal | undefined;
}

async function* resumingChunks(o: ResumingBodyOptions): AsyncGenerator<Buffer> {
  let body = o.first;
  let pos = o.start;
  const from = o.from ?? o.start;
  let resumes = 0;
  const hasher = o.expected === undefined ? undefined : new Hasher({ md5: o.expected.md5 !== undefined });
  try {
    for (;;) {
      try {
        for await (const chunk of body) {
          const b = chunk as Buffer;
          // A server that sends more than asked must not push bytes past the range.
          const take = b.length > o.end - pos ? b.subarray(0, o.end - pos) : b;
          const skip = Math.min(take.length, Math.max(0, from - pos));
          pos += take.length;
          hasher?.update(take);
          if (skip < take.length) yield skip === 0 ? take : take.subarray(skip);
          if (pos >= o.end) break;
        }
        if (pos >= o.end) break;
        throw new StorageError('network', `response body ended at byte ${pos} of ${o.end}`);
      } catch (e) {
        const error = transportError(e, o.signal);
        body.destroy();
        if (!isTransient(error) || resumes >= o.maxResumes) throw error;
        resumes++;
        body = await o.reopen(pos);
      }
    }
    if (hasher !== undefined && o.expected !== undefined) verifyHashes(hasher.digest(), o.expected);
  } finally {
    body.destroy();
  }
}

export function resumingBody(options: ResumingBodyOptions): Readable {
  return Readable.from(resumingChunks(options), { objectMode: false, highWaterMark: 64 * 1024 });
}
