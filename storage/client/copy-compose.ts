// Server-side copy (spec 4.7), compose (4.8) and metadata update as copy-to-self with REPLACE (4.10). Each
// answers with little more than x-goog-generation, so the result is described by a HEAD of that generation.
// A metadata update pins the source generation and requires it to still be live (if-generation-match): a
// retry can never apply twice, and a concurrent overwrite is never undone (the update moves to it).

import { defined } from '../../common/defined.js';
import type { ComposeSource, CopyOptions } from '../backend.js';
import type { Preconditions, WritableMetadata, ObjectMeta } from '../types.js';
import type { CallOptions } from '../backend.js';
import { StorageError, isStorageError } from '../errors.js';
import { buildComposeRequest } from '../xml/compose-request.js';
import { callEmpty } from './exchange.js';
import type { ClientContext } from './exchange.js';
import { preconditionHeaders, writableMetadataHeaders } from './headers.js';
import { pickWritable } from '../writable-metadata.js';
import { bucketPath } from './buckets.js';
import { describeWritten, objectPath, statObject } from './objects.js';
import { encodeObjectName } from './headers.js';
import { getAcl, setAcl } from './acl.js';

type Location = { bucket: string; name: string };

function writeSafety(p: Preconditions): { kind: 'write'; ifGenerationMatch?: string } {
  return p.ifGenerationMatch === undefined
    ? { kind: 'write' }
    : { kind: 'write', ifGenerationMatch: p.ifGenerationMatch };
}

export async function copyObject(
  ctx: ClientContext,
  source: Location,
  destination: Location,
  options: CopyOptions = {},
): Promise<ObjectMeta> {
  const headers: Record<string, string> = {
    ...preconditionHeaders(options),
    'x-goog-copy-source': `${bucketPath(source.bucket)}/${encodeObjectName(source.name)}`,
  };
  if (options.sourceGeneration !== undefined)
    headers['x-goog-copy-source-generation'] = options.sourceGeneration;
  if (options.replaceMetadata !== undefined) {
    Object.assign(headers, writableMetadataHeaders(options.replaceMetadata));
    headers['x-goog-metadata-directive'] = 'REPLACE';
  } else headers['x-goog-metadata-directive'] = 'COPY';
  if (options.cannedAcl !== undefined) headers['x-goog-acl'] = options.cannedAcl;
  const res = await callEmpty(ctx, {
    method: 'PUT',
    path: objectPath(destination.bucket, destination.name),
    headers,
    safety: writeSafety(options),
    errorContext: { resource: 'object', bucket: destination.bucket, object: source.name },
    signal: options.signal,
  });
  return describeWritten(ctx, destination.bucket, destination.name, res.headers, options.signal);
}

export async function composeObject(
  ctx: ClientContext,
  bucket: string,
  destination: string,
  sources: ComposeSource[],
  options: WritableMetadata & Preconditions & CallOptions = {},
): Promise<ObjectMeta> {
  const body = Buffer.from(
    buildComposeRequest(
      sources.map((s) =>
        s.generation === undefined ? { name: s.name } : { name: s.name, generation: s.generation },
      ),
    ),
  );
  const res = await callEmpty(ctx, {
    method: 'PUT',
    path: objectPath(bucket, destination),
    query: [['compose', null]],
    headers: { ...writableMetadataHeaders(pickWritable(options)), ...preconditionHeaders(options) },
    body,
    safety: writeSafety(options),
    errorContext: { resource: 'object', bucket, object: destination },
    signal: options.signal,
  });
  return describeWritten(ctx, bucket, destination, res.headers, options.signal);
}

export async function updateObjectMetadata(
  ctx: ClientContext,
  bucket: string,
  name: string,
  metadata: WritableMetadata,
  options: Preconditions & CallOptions = {},
): Promise<ObjectMeta> {
  const signal = defined({ signal: options.signal });
  const fail = (why: string): StorageError =>
    new StorageError('precondition-failed', why, { bucket, object: name });
  let known = options.ifGenerationMatch;
  // Without a caller's generation, an overwrite racing between our HEAD and the copy is not a conflict the
  // caller asked about: describe the new live generation and try again (a few times).
  for (let round = 0; ; round++) {
    let generation = known;
    if (generation === undefined || options.ifMetagenerationMatch !== undefined) {
      const current = await statObject(ctx, bucket, name, signal);
      generation ??= current.generation;
      // Checked here: whether a copy's metageneration precondition applies to the source is unconfirmed.
      const wanted = options.ifMetagenerationMatch;
      if (wanted !== undefined && current.metageneration !== wanted) {
        throw fail(`metageneration is ${current.metageneration}, not ${wanted}`);
      }
    }
    try {
      // A copy takes the bucket's default object ACL (spec 4.7); a metadata update must not change who
      // may read the object, so the ACL of the source generation is put back on the new one.
      const acl = await getAcl(ctx, { kind: 'object', bucket, name, generation }, signal);
      const updated = await copyObject(
        ctx,
        { bucket, name },
        { bucket, name },
        {
          sourceGeneration: generation,
          ifGenerationMatch: generation,
          ...(options.ifMetagenerationMatch === undefined
            ? {}
            : { ifMetagenerationMatch: options.ifMetagenerationMatch }),
          replaceMetadata: pickWritable(metadata),
          ...signal,
        },
      );
      await setAcl(ctx, { kind: 'object', bucket, name }, acl, {
        ifGenerationMatch: updated.generation,
        ifMetagenerationMatch: updated.metageneration,
        ...signal,
      });
      return await statObject(ctx, bucket, name, signal);
    } catch (e) {
      // The source generation is gone: either the object is (then 'not-found' from the HEAD) or it has a
      // newer generation, which is a false precondition when the caller named one.
      if (!isStorageError(e, 'not-found') && !isStorageError(e, 'precondition-failed')) throw e;
      const live = await statObject(ctx, bucket, name, signal);
      if (options.ifGenerationMatch !== undefined || round >= 2) {
        throw fail(`generation is ${live.generation}, not ${generation}`);
      }
      known = undefined;
    }
  }
}
