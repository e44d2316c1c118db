// Verifies the digests a client sent with a body (Content-Md5, x-goog-hash) against what was received
// (spec 4.1). A mismatch discards the blob: nothing of a corrupted upload becomes visible.

import { ApiError } from './errors.js';
import type { Headers } from './http/headers.js';
import type { BlobInfo } from './store/records.js';
import type { Store } from './store/store.js';

export async function verifyDigests(store: Store, h: Headers, blob: BlobInfo): Promise<void> {
  try {
    const contentMd5 = h.get('content-md5');
    if (contentMd5 !== undefined) {
      if (Buffer.from(contentMd5, 'base64').length !== 16) throw new ApiError('InvalidDigest');
      if (contentMd5 !== blob.md5) throw new ApiError('BadDigest');
    }
    for (const part of (h.get('x-goog-hash') ?? '').split(',')) {
      const m = /^\s*(crc32c|md5)=(.+?)\s*$/.exec(part);
      if (!m) continue;
      if (m[1] === 'md5' && m[2] !== blob.md5) throw new ApiError('BadDigest');
      if (m[1] === 'crc32c' && m[2] !== blob.crc32c) throw new ApiError('CrcMismatch');
    }
  } catch (err) {
    await store.blobs.remove(blob.id);
    throw err;
  }
}
