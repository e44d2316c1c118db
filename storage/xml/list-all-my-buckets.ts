// ListAllMyBucketsResult -> BucketMeta[] (parse-only; `GET /` takes no body). Owner is optional and
// ignored; the result is sorted by name, as the service promises, so callers need not trust the order.

import type { BucketMeta } from '../types.js';
import { child, children, parseXml, requiredText, root } from './parser.js';
import { parseTimestamp } from './values.js';

export function parseListAllMyBucketsResult(body: string): BucketMeta[] {
  const result = root(parseXml(body), 'ListAllMyBucketsResult');
  const buckets = child(result, 'Buckets');
  const list = buckets === undefined ? [] : children(buckets, 'Bucket');
  return list
    .map((b) => ({
      name: requiredText(b, 'Name', 'Bucket').trim(),
      created: parseTimestamp(requiredText(b, 'CreationDate', 'Bucket'), 'CreationDate'),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
