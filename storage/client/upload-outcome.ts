// What an upload's answer means, for every way of uploading (one PUT, a resumable session of a known size,
// a streamed one): the store's hashes must be those of the bytes sent, and an answer that never came (or
// a 412 after such an attempt: our own lost attempt may have won) is settled by asking the store.

import type { WriteOptions } from '../backend.js';
import { verifyHashes, type ObjectHashes } from '../checksums.js';
import { isStorageError } from '../errors.js';
import { isOwnWrite } from '../own-write.js';
import type { ObjectMeta } from '../types.js';
import type { ClientContext } from './exchange.js';
import { parseGoogHashHeaders, type ResponseHeaders } from './headers.js';
import { statObject } from './objects.js';
import { outcomeUnknown } from './retry.js';

export interface UploadResult {
  headers: ResponseHeaders;
  hashes: ObjectHashes;
  /** Set when the store had to be asked (the final answer was lost): the object's full metadata. */
  meta?: ObjectMeta;
}

export function checkStored(headers: ResponseHeaders, sent: ObjectHashes, name: string): void {
  verifyHashes(parseGoogHashHeaders(headers), sent, `upload of ${name}`);
}

/** Asks the store whether a write whose answer never came (or a 412 after such an attempt: our own lost
 *  attempt may have won) in fact finished: one HEAD of the live object, adopted if it is ours. Otherwise
 *  (another object, none, or the HEAD failing too) the caller reports its original error. */
export async function adoptIfOurs(
  ctx: ClientContext,
  bucket: string,
  name: string,
  hashes: ObjectHashes,
  options: WriteOptions,
): Promise<ObjectMeta | undefined> {
  try {
    const meta = await statObject(
      ctx,
      bucket,
      name,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    if (!isOwnWrite(meta, hashes, options)) return undefined;
    ctx.logger.debug('upload settled: the store holds what we sent', {
      object: name,
      generation: meta.generation,
    });
    return meta;
  } catch {
    return undefined;
  }
}

/** Whether a failed write is worth asking the store about: the last attempt's outcome is unknown, or a
 *  412 followed an attempt whose outcome was unknown. */
export function mayHaveFinished(e: unknown, lost: boolean): boolean {
  return isStorageError(e) && (outcomeUnknown(e) || (lost && e.code === 'precondition-failed'));
}
