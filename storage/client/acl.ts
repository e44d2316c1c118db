// ACL get/set (spec 4.9, 5) for an object (optionally one generation), a bucket, or a bucket's default
// object ACL: a document via storage/xml/access-control-list.ts, or a canned ACL as `x-goog-acl` with an
// empty body. A set is retried only under an if-metageneration-match precondition (retry-policy.ts).

import { defined } from '../../common/defined.js';
import type { CallOptions } from '../backend.js';
import type { Acl, AclTarget, CannedAcl, Preconditions } from '../types.js';
import { CANNED_ACLS } from '../types.js';
import { buildAccessControlList, parseAccessControlList } from '../xml/access-control-list.js';
import type { ErrorContext } from '../xml/error-response.js';
import { bucketPath } from './buckets.js';
import { callEmpty, callText } from './exchange.js';
import type { ClientContext } from './exchange.js';
import { preconditionHeaders } from './headers.js';
import { objectPath } from './objects.js';

interface Where {
  path: string;
  query: [string, string | null][];
  errorContext: ErrorContext;
}

function where(target: AclTarget): Where {
  switch (target.kind) {
    case 'bucket':
      return {
        path: bucketPath(target.bucket),
        query: [['acl', null]],
        errorContext: { resource: 'bucket', bucket: target.bucket },
      };
    case 'default-object':
      return {
        path: bucketPath(target.bucket),
        query: [['defaultObjectAcl', null]],
        errorContext: { resource: 'bucket', bucket: target.bucket },
      };
    case 'object':
      return {
        path: objectPath(target.bucket, target.name),
        query:
          target.generation === undefined
            ? [['acl', null]]
            : [
                ['acl', null],
                ['generation', target.generation],
              ],
        errorContext: { resource: 'object', bucket: target.bucket, object: target.name },
      };
  }
}

export async function getAcl(ctx: ClientContext, target: AclTarget, options: CallOptions = {}): Promise<Acl> {
  const w = where(target);
  const { text } = await callText(ctx, {
    method: 'GET',
    ...w,
    safety: { kind: 'read' },
    signal: options.signal,
  });
  return parseAccessControlList(text);
}

function isCanned(acl: Acl | CannedAcl): acl is CannedAcl {
  return typeof acl === 'string' && CANNED_ACLS.includes(acl);
}

export async function setAcl(
  ctx: ClientContext,
  target: AclTarget,
  acl: Acl | CannedAcl,
  options: Preconditions & CallOptions = {},
): Promise<void> {
  const w = where(target);
  const headers = preconditionHeaders(options);
  let body: Buffer | undefined;
  if (isCanned(acl)) headers['x-goog-acl'] = acl;
  else {
    body = Buffer.from(buildAccessControlList(acl));
    headers['content-type'] = 'application/xml';
  }
  await callEmpty(ctx, {
    method: 'PUT',
    ...w,
    headers,
    ...defined({ body }),
    safety: { kind: 'set-acl', ...defined({ ifMetagenerationMatch: options.ifMetagenerationMatch }) },
    signal: options.signal,
  });
}
