// Scalar values inside GCS XML documents: timestamps, int64 generations, sizes. Each parser refuses what
// it cannot read exactly (a generation never passes through a number) rather than guessing.

import { malformed } from './parser.js';

/** RFC 3339 timestamp -> Date. */
export function parseTimestamp(value: string, what: string): Date {
  const d = new Date(value.trim());
  if (value.trim() === '' || Number.isNaN(d.getTime()))
    throw malformed(`bad ${what} ${JSON.stringify(value)}`);
  return d;
}

/** int64 as a canonical decimal string (leading zeros dropped, never through a number). */
export function parseGeneration(value: string, what: string): string {
  const v = value.trim();
  if (!/^[0-9]{1,19}$/.test(v)) throw malformed(`bad ${what} ${JSON.stringify(value)}`);
  return v.replace(/^0+(?=[0-9])/, '');
}

/** A byte count or other non-negative integer that fits a JS number exactly. */
export function parseCount(value: string, what: string): number {
  const v = value.trim();
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n))
    throw malformed(`bad ${what} ${JSON.stringify(value)}`);
  return n;
}

/** `true`/`false` as GCS writes them (case-insensitive, absent = false). */
export function parseBoolean(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}
