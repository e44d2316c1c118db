// XML multipart-upload documents (spec §6.2): parse InitiateMultipartUploadResult, build
// CompleteMultipartUpload, parse CompleteMultipartUploadResult and ListPartsResult. No requests here.
// A completion may answer 200 with an `<Error>` body (S3 does; GCS unconfirmed): that becomes a thrown
// StorageError, never a result.

import { StorageError } from '../errors.js';
import { child, children, element, parseXml, requiredText, text, XML_DECLARATION } from './parser.js';
import type { XmlNode } from './parser.js';
import { root } from './parser.js';
import { storageErrorFromResponse } from './error-response.js';
import { parseBoolean, parseCount, parseTimestamp } from './values.js';

export interface InitiateMultipartUploadResult {
  bucket: string;
  key: string;
  uploadId: string;
}

export interface CompletedPart {
  partNumber: number;
  /** As returned by the part upload, quotes included. */
  etag: string;
}

export interface CompleteMultipartUploadResult {
  location?: string;
  bucket: string;
  key: string;
  etag: string;
}

export interface ListedPart extends CompletedPart {
  size: number;
  lastModified?: Date;
}

export interface ListPartsResult {
  bucket: string;
  key: string;
  uploadId: string;
  parts: ListedPart[];
  isTruncated: boolean;
  nextPartNumberMarker?: number;
}

export const MAX_PART_NUMBER = 10_000;

export function parseInitiateMultipartUploadResult(body: string): InitiateMultipartUploadResult {
  const r = root(parseXml(body), 'InitiateMultipartUploadResult');
  const where = 'InitiateMultipartUploadResult';
  return {
    bucket: requiredText(r, 'Bucket', where),
    key: requiredText(r, 'Key', where),
    uploadId: requiredText(r, 'UploadId', where),
  };
}

/** Parts must be listed in ascending order without repeats (else 400 InvalidPartOrder); checked here. */
export function buildCompleteMultipartUpload(parts: readonly CompletedPart[]): string {
  let previous = 0;
  for (const p of parts) {
    if (!Number.isInteger(p.partNumber) || p.partNumber <= previous || p.partNumber > MAX_PART_NUMBER) {
      throw new StorageError('invalid-argument', `part numbers must ascend within 1..${MAX_PART_NUMBER}`);
    }
    previous = p.partNumber;
  }
  if (parts.length === 0) throw new StorageError('invalid-argument', 'a multipart upload needs a part');
  const body = parts
    .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber>${element('ETag', p.etag)}</Part>`)
    .join('');
  return `${XML_DECLARATION}<CompleteMultipartUpload>${body}</CompleteMultipartUpload>`;
}

export function parseCompleteMultipartUploadResult(body: string): CompleteMultipartUploadResult {
  const doc = parseXml(body);
  if (child(doc, 'Error') !== undefined) throw storageErrorFromResponse(200, body);
  const r = root(doc, 'CompleteMultipartUploadResult');
  const where = 'CompleteMultipartUploadResult';
  const result: CompleteMultipartUploadResult = {
    bucket: requiredText(r, 'Bucket', where),
    key: requiredText(r, 'Key', where),
    etag: text(r, 'ETag') ?? '',
  };
  const location = text(r, 'Location');
  if (location !== undefined) result.location = location;
  return result;
}

function listedPart(p: XmlNode): ListedPart {
  const part: ListedPart = {
    partNumber: parseCount(requiredText(p, 'PartNumber', 'Part'), 'PartNumber'),
    etag: text(p, 'ETag') ?? '',
    size: parseCount(requiredText(p, 'Size', 'Part'), 'Size'),
  };
  const modified = text(p, 'LastModified');
  if (modified !== undefined) part.lastModified = parseTimestamp(modified, 'LastModified');
  return part;
}

export function parseListPartsResult(body: string): ListPartsResult {
  const r = root(parseXml(body), 'ListPartsResult');
  const where = 'ListPartsResult';
  const result: ListPartsResult = {
    bucket: requiredText(r, 'Bucket', where),
    key: requiredText(r, 'Key', where),
    uploadId: requiredText(r, 'UploadId', where),
    parts: children(r, 'Part').map(listedPart),
    isTruncated: parseBoolean(text(r, 'IsTruncated')),
  };
  const next = text(r, 'NextPartNumberMarker');
  if (next !== undefined && next.trim() !== '') {
    result.nextPartNumberMarker = parseCount(next, 'NextPartNumberMarker');
  }
  return result;
}
