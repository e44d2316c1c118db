// Header access that speaks both dialects: an AWS-signed request sends x-amz-* where GCS expects x-goog-*
// (spec 10.2), so handlers ask for the x-goog name and get whichever the client sent.

import type { IncomingHttpHeaders } from 'node:http';
import type { Dialect } from '../hooks.js';

export class Headers {
  readonly #raw: IncomingHttpHeaders;
  readonly dialect: Dialect;

  constructor(raw: IncomingHttpHeaders, dialect: Dialect) {
    this.#raw = raw;
    this.dialect = dialect;
  }

  /** One header's value; repeated headers are joined with ', ' as HTTP allows. */
  get(name: string): string | undefined {
    const direct = join(this.#raw[name]);
    if (direct !== undefined || !name.startsWith('x-goog-')) return direct;
    return join(this.#raw[`x-amz-${name.slice('x-goog-'.length)}`]);
  }

  /** Custom metadata from x-goog-meta-* (and x-amz-meta-*), keys lower-cased without the prefix. */
  metadata(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#raw)) {
      const m = /^x-(?:goog|amz)-meta-(.+)$/.exec(k);
      if (m?.[1] !== undefined && v !== undefined) out[m[1]] = join(v) ?? '';
    }
    return out;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

function join(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}
