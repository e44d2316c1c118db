// Object listings (spec 3.5) as pages and a lazy async iterator. V2 (`list-type=2`): its continuation token
// is the server's own position, so resuming after a rolled-up prefix never relies on re-deriving a v1 marker
// (unconfirmed for GCS); the page token is that token, verbatim. encoding-type=url lets control characters
// in names survive the XML.

import type { CallOptions } from '../backend.js';
import { StorageError } from '../errors.js';
import { paginate } from '../paginate.js';
import type { ListOptions, ListPage } from '../types.js';
import { parseListBucketResult } from '../xml/list-bucket-result.js';
import { bucketPath } from './buckets.js';
import { callText } from './exchange.js';
import type { ClientContext } from './exchange.js';
import { encodeQueryValue } from './headers.js';

export type ListPageOptions = ListOptions & CallOptions & { pageToken?: string };

export async function listPage(
  ctx: ClientContext,
  bucket: string,
  options: ListPageOptions = {},
): Promise<ListPage> {
  const query: [string, string][] = [
    ['list-type', '2'],
    ['encoding-type', 'url'],
  ];
  if (options.prefix !== undefined && options.prefix !== '')
    query.push(['prefix', encodeQueryValue(options.prefix)]);
  if (options.delimiter !== undefined && options.delimiter !== '') {
    query.push(['delimiter', encodeQueryValue(options.delimiter)]);
  }
  if (options.pageSize !== undefined) {
    if (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > 1000) {
      throw new StorageError('invalid-argument', `page size must be 1..1000, got ${options.pageSize}`);
    }
    query.push(['max-keys', String(options.pageSize)]);
  }
  if (options.pageToken !== undefined)
    query.push(['continuation-token', encodeQueryValue(options.pageToken)]);
  else if (options.startAfter !== undefined)
    query.push(['start-after', encodeQueryValue(options.startAfter)]);
  const { text } = await callText(ctx, {
    method: 'GET',
    path: bucketPath(bucket),
    query,
    safety: { kind: 'read' },
    errorContext: { resource: 'bucket', bucket },
    signal: options.signal,
  });
  return parseListBucketResult(text, { encodingType: 'url' }).page;
}

export function listAll(
  ctx: ClientContext,
  bucket: string,
  options: ListOptions & CallOptions = {},
): AsyncGenerator<ListPage> {
  return paginate(bucket, options, (o) => listPage(ctx, bucket, o));
}
