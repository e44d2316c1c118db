// Turns a request line and Host header into (bucket, object, query), both URL styles (spec 1.1): a Host of
// `<bucket>.<base host>` selects virtual-hosted style, anything else (IP, localhost, the base host) is
// path-style. The object name is percent-decoded once; `a//b` stays distinct from `a/b`.

import { bucketFromHost } from '../auth/request-target.js';
import { ApiError } from '../errors.js';

export interface RequestTarget {
  bucket: string | undefined;
  object: string | undefined;
  /** Query parameters by name; a valueless `?acl` maps to ''. Repeated names keep the first value. */
  query: ReadonlyMap<string, string>;
  /** The path exactly as received (still encoded), without the query. */
  rawPath: string;
  rawQuery: string;
}

export function parseTarget(rawUrl: string, host: string | undefined): RequestTarget {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const query = parseQuery(rawQuery);
  const path = decode(rawPath);
  // The same host rule as authentication, so routing and signature checks agree on the bucket.
  const virtualBucket = bucketFromHost(host);
  if (virtualBucket !== undefined) {
    const object = path.slice(1);
    return { bucket: virtualBucket, object: object === '' ? undefined : object, query, rawPath, rawQuery };
  }
  const rest = path.slice(1);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const object = slash < 0 ? '' : rest.slice(slash + 1);
  return {
    bucket: bucket === '' ? undefined : bucket,
    object: object === '' ? undefined : object,
    query,
    rawPath,
    rawQuery,
  };
}

export function parseQuery(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq), true);
    const value = eq < 0 ? '' : decode(part.slice(eq + 1), true);
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

function decode(text: string, form = false): string {
  try {
    // In paths `+` is a literal plus (spec 1.3); only query strings use it for a space.
    return decodeURIComponent(form ? text.replace(/\+/g, ' ') : text);
  } catch {
    throw new ApiError('InvalidArgument', 'The request URI is not valid UTF-8 or has a malformed escape.');
  }
}
