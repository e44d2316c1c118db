// CopyObjectResult (spec §4.7) -> LastModified and ETag. Parse-only. The generation of the copy arrives
// in headers, not here; this module only reads the body, and tolerates any namespace.

import { parseXml, requiredText, root, text } from './parser.js';
import { parseTimestamp } from './values.js';

export interface CopyObjectResult {
  lastModified: Date;
  /** As sent, quotes included. */
  etag: string;
}

export function parseCopyObjectResult(body: string): CopyObjectResult {
  const result = root(parseXml(body), 'CopyObjectResult');
  return {
    lastModified: parseTimestamp(requiredText(result, 'LastModified', 'CopyObjectResult'), 'LastModified'),
    etag: text(result, 'ETag') ?? '',
  };
}
