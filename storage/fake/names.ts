// Name rules and name order for the in-memory fake: which bucket and object names GCS refuses (spec §1.4,
// §1.5) and the byte order of UTF-8 names that listings follow. Kept apart from the backend so the rules
// can be table-tested; the wire client never validates names itself (the service is the authority).

import { StorageError } from '../errors.js';

/** Compares names by their UTF-8 bytes, the service's listing order (UTF-16 order differs above U+FFFF). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const BUCKET_CHARS = /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
// "google" and close misspellings (digits for letters), per §1.4.
const GOOGLE_LIKE = /g[o0][o0]g[l1]e/;

/** Why a bucket name is refused, or undefined when it is valid. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3) return 'shorter than 3 characters';
  if (!BUCKET_CHARS.test(name)) {
    return 'only a-z, 0-9, "-", "_" and "." are allowed, starting and ending with a letter or digit';
  }
  const dotted = name.includes('.');
  if (!dotted && name.length > 63) return 'longer than 63 characters';
  if (dotted && name.length > 222) return 'longer than 222 characters';
  if (dotted && name.split('.').some((c) => c.length === 0 || c.length > 63)) {
    return 'a dot-separated component is empty or longer than 63 characters';
  }
  if (IPV4.test(name)) return 'an IP address';
  if (name.startsWith('goog')) return 'starts with "goog"';
  if (GOOGLE_LIKE.test(name)) return 'contains "google" or a close misspelling';
  return undefined;
}

export function checkBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem !== undefined) {
    throw new StorageError('invalid-name', `invalid bucket name ${JSON.stringify(name)}: ${problem}`, {
      bucket: name,
      serviceCode: 'InvalidBucketName',
    });
  }
}

export const MAX_OBJECT_NAME_BYTES = 1024;

// (String.prototype.isWellFormed is ES2024; the project targets ES2023.)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why an object name is refused, or undefined when it is valid. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'empty';
  if (LONE_SURROGATE.test(name)) return 'not valid Unicode (lone surrogate)';
  if (Buffer.byteLength(name, 'utf8') > MAX_OBJECT_NAME_BYTES)
    return `longer than ${MAX_OBJECT_NAME_BYTES} bytes`;
  if (/[\r\n]/.test(name)) return 'contains a carriage return or line feed';
  if (name === '.' || name === '..') return 'is "." or ".."';
  if (name.startsWith('.well-known/acme-challenge/')) return 'starts with ".well-known/acme-challenge/"';
  return undefined;
}

export function checkObjectName(bucket: string, name: string): void {
  const problem = objectNameProblem(name);
  if (problem !== undefined) {
    throw new StorageError('invalid-name', `invalid object name ${JSON.stringify(name)}: ${problem}`, {
      bucket,
      object: name,
    });
  }
}
