// ListBucketResult (v1 and v2 listings) -> ListPage plus the continuation position. Parse-only: the client
// sends query parameters, never this document. Tolerant by design (element order, missing NextMarker,
// optional echo elements, any namespace) because several details of GCS's output are unconfirmed.

import type { ListedObject, ListPage } from '../types.js';
import { children, malformed, ownText, parseXml, present, root, text } from './parser.js';
import type { XmlNode } from './parser.js';
import { scanListing, type ScannedListing } from './listing-scan.js';
import { parseBoolean, parseCount, parseGeneration, parseTimestamp } from './values.js';

export interface ParsedListing {
  /** `nextPageToken` is the continuation token (v2) or the marker to resume after (v1), when truncated. */
  page: ListPage;
  isTruncated: boolean;
  /** v1 resume position: `NextMarker`, or the greatest key/prefix of this page when it is missing. */
  nextMarker?: string;
  /** v2 `NextContinuationToken`, verbatim. */
  nextContinuationToken?: string;
}

export interface ParseListingOptions {
  /** The request asked for `encoding-type=url`: decode names even if the response does not say so. */
  encodingType?: 'url';
}

/** Undoes `encoding-type=url`. `+` means space, as in S3 (botocore uses unquote_plus); an encoder that
 *  follows RFC 3986 writes a literal plus as %2B, so both conventions decode correctly. */
export function decodeListingName(value: string): string {
  if (!value.includes('%') && !value.includes('+')) return value; // most names: nothing to undo
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch (e) {
    throw malformed(`bad url-encoded name ${JSON.stringify(value)}`, e);
  }
}

/** A Contents entry from its children's texts (`get`: either path's); throws what is missing or bad. */
function parseContents(
  get: (name: string) => string | undefined,
  decode: (s: string) => string,
): ListedObject {
  const required = (name: string): string => present(get(name), name, 'Contents');
  const metageneration = get('MetaGeneration');
  return {
    name: decode(required('Key')),
    size: parseCount(required('Size'), 'Size'),
    generation: parseGeneration(required('Generation'), 'Generation'),
    // Every GCS capture has MetaGeneration; an absent one can only mean "never updated".
    metageneration: metageneration === undefined ? '1' : parseGeneration(metageneration, 'MetaGeneration'),
    updated: parseTimestamp(required('LastModified'), 'LastModified'),
    etag: get('ETag') ?? '',
  };
}

function byteMax(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b;
}

/** Parses a listing: straight from the text (listing-scan.ts) when it has the usual shape, else with the
 *  validating parser, which also reports whatever is wrong with the body. */
export function parseListBucketResult(body: string, options: ParseListingOptions = {}): ParsedListing {
  const scanned = scanListing(body);
  const direct = scanned && listingFromScan(scanned, options);
  return direct ?? listingFromDocument(parseXml(body), options);
}

/** The listing of a directly scanned text; undefined when an entry lacks a value or has a bad one (the
 *  tree path then says which). */
export function listingFromScan(
  s: ScannedListing,
  options: ParseListingOptions = {},
): ParsedListing | undefined {
  const decode = decoder(options, s.fields.get('EncodingType'));
  let objects: ListedObject[];
  try {
    objects = s.contents.map((c) => parseContents((name) => c.get(name), decode));
  } catch {
    return undefined;
  }
  return finish(
    objects,
    s.prefixes.map(decode),
    s.fields.get('IsTruncated'),
    s.fields.get('NextContinuationToken'),
    s.fields.get('NextMarker'),
    decode,
  );
}

function decoder(options: ParseListingOptions, echoed: string | undefined): (s: string) => string {
  const encoded = options.encodingType === 'url' || echoed?.trim().toLowerCase() === 'url';
  return encoded ? decodeListingName : (s: string): string => s;
}

/** The listing of an already parsed document (either parser's). */
export function listingFromDocument(doc: XmlNode, options: ParseListingOptions = {}): ParsedListing {
  const result = root(doc, 'ListBucketResult');
  const decode = decoder(options, text(result, 'EncodingType'));
  const objects = children(result, 'Contents').map((c) => parseContents((name) => text(c, name), decode));
  const prefixes = children(result, 'CommonPrefixes').flatMap((cp) =>
    children(cp, 'Prefix').map((p) => decode(ownText(p))),
  );
  return finish(
    objects,
    prefixes,
    text(result, 'IsTruncated'),
    text(result, 'NextContinuationToken'),
    text(result, 'NextMarker'),
    decode,
  );
}

/** The page and where the next one starts (both paths). */
function finish(
  objects: ListedObject[],
  prefixes: string[],
  truncated: string | undefined,
  token: string | undefined,
  marker: string | undefined,
  decode: (s: string) => string,
): ParsedListing {
  const isTruncated = parseBoolean(truncated);
  const page: ListPage = { objects, prefixes };
  const parsed: ParsedListing = { page, isTruncated };
  if (!isTruncated) return parsed;
  const nextMarker =
    marker !== undefined && marker !== ''
      ? decode(marker)
      : byteMax(objects.at(-1)?.name, prefixes.reduce<string | undefined>(byteMax, undefined));
  if (token !== undefined && token !== '') parsed.nextContinuationToken = token;
  if (nextMarker !== undefined) parsed.nextMarker = nextMarker;
  const next = parsed.nextContinuationToken ?? parsed.nextMarker;
  // A truncated page that names no way forward would loop or stop early: refuse it.
  if (next === undefined) throw malformed('truncated listing without a continuation position');
  page.nextPageToken = next;
  return parsed;
}
