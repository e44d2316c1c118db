// Generation/metageneration preconditions and HTTP conditionals (spec 4.1, 4.2, 4.6, 4.7). Write
// preconditions are checked twice by handlers: early, to fail before a body is read, and again at commit,
// synchronously with the store update, so two racing writers cannot both win.

import { ApiError } from './errors.js';
import type { Headers } from './http/headers.js';
import type { ObjectRecord } from './store/records.js';

function int(h: Headers, name: string): bigint | undefined {
  const v = h.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new ApiError('InvalidArgument', `Invalid value for ${name}: ${v}`);
  return BigInt(v.trim());
}

/** Destination preconditions of a write, copy, compose, delete or metadata change. */
export function checkGenerationMatch(
  h: Headers,
  live: ObjectRecord | undefined,
  prefix = 'x-goog-if-',
): void {
  const gen = int(h, `${prefix}generation-match`);
  const meta = int(h, `${prefix}metageneration-match`);
  if (gen !== undefined) {
    const ok = gen === 0n ? live === undefined : live !== undefined && BigInt(live.generation) === gen;
    if (!ok) throw new ApiError('PreconditionFailed');
  }
  if (meta !== undefined && (live === undefined || BigInt(live.metageneration) !== meta)) {
    throw new ApiError('PreconditionFailed');
  }
}

/** GET/HEAD conditionals; returns true when the answer is 304 Not Modified. */
export function checkReadConditions(h: Headers, o: ObjectRecord): boolean {
  checkGenerationMatch(h, o);
  return checkEtagAndDates(h, o, '');
}

/** Copy-source conditionals use the same rules, but a would-be 304 is a 412 (spec 4.7). */
export function checkCopySourceConditions(h: Headers, o: ObjectRecord): void {
  if (checkEtagAndDates(h, o, 'x-goog-copy-source-')) throw new ApiError('PreconditionFailed');
}

function checkEtagAndDates(h: Headers, o: ObjectRecord, prefix: string): boolean {
  const ifMatch = h.get(`${prefix}if-match`);
  if (ifMatch !== undefined && !etagListHas(ifMatch, o.etag)) throw new ApiError('PreconditionFailed');
  const unmodified = date(h.get(`${prefix}if-unmodified-since`));
  if (unmodified !== undefined && Math.floor(o.updated / 1000) * 1000 > unmodified) {
    throw new ApiError('PreconditionFailed');
  }
  const ifNone = h.get(`${prefix}if-none-match`);
  if (ifNone !== undefined) return etagListHas(ifNone, o.etag);
  const modified = date(h.get(`${prefix}if-modified-since`));
  return modified !== undefined && Math.floor(o.updated / 1000) * 1000 <= modified;
}

function etagListHas(list: string, etag: string): boolean {
  const bare = etag.replace(/"/g, '');
  return list.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '').replace(/"/g, '');
    return v === '*' || v === bare;
  });
}

function date(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
