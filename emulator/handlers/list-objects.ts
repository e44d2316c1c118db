// Object listing, v1 (marker) and v2 (continuation-token), following the spec's algorithm (3.5): names in
// UTF-8 byte order, prefix filter, delimiter roll-up into common prefixes, max-keys counting objects and
// prefixes together, NextMarker whenever truncated (GCS emits it even without a delimiter).

import { ApiError } from '../errors.js';
import type { Ctx } from '../http/context.js';
import { sendXml } from '../http/respond.js';
import { lowerBound } from '../store/name-order.js';
import type { ObjectRecord } from '../store/records.js';
import { document, el, GCS_LIST_NS, wrap } from '../xml/writer.js';
import { requireBucket } from './buckets.js';

interface Page {
  objects: ObjectRecord[];
  prefixes: string[];
  truncated: boolean;
  /** Last entry emitted (key or prefix) when more remain. */
  next: string | undefined;
}

export function listPage(
  ctx: Ctx,
  bucket: string,
  prefix: string,
  delimiter: string,
  after: string,
  maxKeys: number,
): Page {
  const names = ctx.store.names(bucket);
  const page: Page = { objects: [], prefixes: [], truncated: false, next: undefined };
  // Resuming after a common prefix skips its whole group (spec 3.5 step 1).
  let skipGroup: string | undefined;
  if (delimiter !== '' && after.startsWith(prefix)) {
    const at = after.indexOf(delimiter, prefix.length);
    if (at >= 0) skipGroup = after.slice(0, at + delimiter.length);
  }
  let i = Math.max(lowerBound(names, prefix), after === '' ? 0 : lowerBound(names, after, true));
  let count = 0;
  let last: string | undefined;
  for (; i < names.length; i++) {
    const name = names[i] as string;
    if (!name.startsWith(prefix)) break;
    if (skipGroup !== undefined && name.startsWith(skipGroup)) continue;
    const at = delimiter === '' ? -1 : name.indexOf(delimiter, prefix.length);
    const entry = at >= 0 ? name.slice(0, at + delimiter.length) : name;
    if (count === maxKeys) {
      page.truncated = true;
      page.next = last;
      return page;
    }
    if (at >= 0) {
      page.prefixes.push(entry);
      skipGroup = entry;
    } else {
      const o = ctx.store.object(bucket, name);
      if (o) page.objects.push(o);
    }
    last = entry;
    count++;
  }
  return page;
}

function maxKeysOf(ctx: Ctx): number {
  const raw = ctx.target.query.get('max-keys');
  if (raw === undefined) return 1000;
  if (!/^\d+$/.test(raw)) throw new ApiError('InvalidArgument', `Invalid max-keys: ${raw}`);
  return Math.min(Number(raw), 1000);
}

export function listObjects(ctx: Ctx, bucket: string): void {
  requireBucket(ctx, bucket);
  const q = ctx.target.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const v2 = q.get('list-type') === '2';
  const urlEncode = q.get('encoding-type') === 'url';
  if (q.get('encoding-type') !== undefined && !urlEncode) {
    throw new ApiError('InvalidArgument', 'encoding-type must be url');
  }
  const enc = (s: string): string => (urlEncode ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  const maxKeys = maxKeysOf(ctx);
  let after: string;
  const token = q.get('continuation-token');
  if (v2) after = token !== undefined ? decodeToken(token) : (q.get('start-after') ?? '');
  else after = q.get('marker') ?? '';
  const page = listPage(ctx, bucket, prefix, delimiter, after, maxKeys);
  const truncated = page.truncated;
  const fetchOwner = v2 && q.get('fetch-owner') === 'true';

  let head = el('Name', bucket) + el('Prefix', enc(prefix), true);
  if (v2) {
    if (token !== undefined) head += el('ContinuationToken', token);
    if (q.get('start-after') !== undefined) head += el('StartAfter', enc(q.get('start-after') ?? ''));
    head += el('KeyCount', page.objects.length + page.prefixes.length);
    head += el('MaxKeys', maxKeys);
    if (truncated) head += el('NextContinuationToken', encodeToken(page.next ?? after));
  } else {
    head += el('Marker', enc(after), true);
    if (truncated) head += el('NextMarker', enc(page.next ?? after), true);
  }
  if (delimiter !== '') head += el('Delimiter', enc(delimiter));
  if (urlEncode) head += el('EncodingType', 'url');
  head += el('IsTruncated', truncated);
  const contents = page.objects
    .map((o) =>
      wrap(
        'Contents',
        el('Key', enc(o.name)) +
          el('Generation', o.generation) +
          el('MetaGeneration', o.metageneration) +
          el('LastModified', new Date(o.updated).toISOString()) +
          el('ETag', o.etag) +
          el('Size', o.size) +
          (fetchOwner ? wrap('Owner', el('ID', o.owner) + el('DisplayName', '', true)) : ''),
      ),
    )
    .join('');
  const prefixes = page.prefixes.map((p) => wrap('CommonPrefixes', el('Prefix', enc(p)))).join('');
  sendXml(ctx, 200, document('ListBucketResult', head + contents + prefixes, GCS_LIST_NS));
}

// The token encodes the resume position; the service documents it as opaque (name + generation).
function encodeToken(name: string): string {
  return Buffer.from(JSON.stringify({ n: name }), 'utf8').toString('base64');
}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { n?: unknown };
    if (typeof parsed.n === 'string') return parsed.n;
  } catch {
    /* fall through */
  }
  throw new ApiError('InvalidArgument', 'Invalid continuation token.');
}
