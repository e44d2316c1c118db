// The data model every StorageBackend speaks: what a mount needs to know about buckets, objects, listings,
// ACLs and preconditions, independent of the wire (XML headers) and of any cache. Generations are decimal
// strings: they are int64 on the wire and must never pass through a lossy number.

export type Generation = string;

export interface BucketMeta {
  name: string;
  created: Date;
}

/** What a listing says about an object (the XML listing carries no content-type or custom metadata). */
export interface ListedObject {
  name: string;
  size: number;
  generation: Generation;
  metageneration: Generation;
  updated: Date;
  etag: string;
}

/** The fields a writer may set besides custom metadata (each one a header: Content-Type, ...,
 *  x-goog-storage-class). The one list: WritableMetadata and ObjectMeta are derived from it, and the wire
 *  headers, the fake, the xattrs and every "keep the object's metadata" step walk it. */
export const WRITABLE_FIELDS = [
  'contentType',
  'contentEncoding',
  'cacheControl',
  'contentDisposition',
  'contentLanguage',
  'storageClass',
] as const;

export type WritableField = (typeof WRITABLE_FIELDS)[number];

/** Metadata a writer may set (on upload, copy with REPLACE, compose, metadata update). */
export interface WritableMetadata extends Partial<Record<WritableField, string>> {
  /** Custom metadata; keys without the `x-goog-meta-` prefix. */
  metadata?: Record<string, string>;
}

/** Everything HEAD says about an object: what a listing says, the writable metadata, and the hashes. */
export interface ObjectMeta extends ListedObject, WritableMetadata {
  bucket: string;
  /** base64 MD5 of the content; absent for composite and multipart objects. */
  md5?: string;
  /** base64 big-endian CRC32C of the content. */
  crc32c?: string;
  /** Always known (the service defaults it to application/octet-stream). */
  contentType: string;
  componentCount?: number;
  /** Custom metadata (`x-goog-meta-KEY`), keys lower-cased, without the prefix. */
  metadata: Record<string, string>;
}

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  /** Entries per request, 1..1000 (objects and prefixes together). */
  pageSize?: number;
  /** Start listing after this name. */
  startAfter?: string;
}

export interface ListPage {
  objects: ListedObject[];
  /** Common prefixes (each ends with the delimiter). */
  prefixes: string[];
  /** Opaque; pass back to continue. Absent on the last page. */
  nextPageToken?: string;
}

export interface Preconditions {
  /** `'0'` means "only if no live object exists". */
  ifGenerationMatch?: Generation;
  ifMetagenerationMatch?: Generation;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive; absent = to the end. */
  end?: number;
}

export type CannedAcl =
  | 'private'
  | 'project-private'
  | 'public-read'
  | 'public-read-write'
  | 'authenticated-read'
  | 'bucket-owner-read'
  | 'bucket-owner-full-control';

export const CANNED_ACLS: readonly CannedAcl[] = [
  'private',
  'project-private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
];

export type Permission = 'READ' | 'WRITE' | 'FULL_CONTROL';

export type AclScope =
  | { type: 'UserById'; id: string; name?: string }
  | { type: 'UserByEmail'; email: string; name?: string }
  | { type: 'GroupById'; id: string; name?: string }
  | { type: 'GroupByEmail'; email: string; name?: string }
  | { type: 'GroupByDomain'; domain: string }
  | { type: 'AllUsers' }
  | { type: 'AllAuthenticatedUsers' };

export interface AclEntry {
  scope: AclScope;
  permission: Permission;
}

export interface Acl {
  owner?: { id: string; name?: string };
  entries: AclEntry[];
}

export type AclTarget =
  | { kind: 'bucket'; bucket: string }
  | { kind: 'default-object'; bucket: string }
  | { kind: 'object'; bucket: string; name: string; generation?: Generation };
