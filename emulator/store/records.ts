// The emulator's data model: what it remembers about buckets and objects, independent of where the bytes
// live (memory or a folder). Kept apart from the client's model in storage/types.ts on purpose: two
// independent implementations of the protocol cannot be wrong in the same way.

/** One ACL entry as the XML API shows it: a scope (type + the children that type allows) and a permission. */
export interface AclEntry {
  scope: AclScope;
  permission: 'READ' | 'WRITE' | 'FULL_CONTROL';
}

export type AclScope =
  | { type: 'UserById' | 'GroupById'; id: string; name?: string }
  | { type: 'UserByEmail' | 'GroupByEmail'; email: string; name?: string }
  | { type: 'GroupByDomain'; domain: string }
  | { type: 'AllUsers' | 'AllAuthenticatedUsers' };

export interface BucketRecord {
  name: string;
  project: string;
  /** ms since epoch. */
  created: number;
  location: string;
  storageClass: string;
  /** Canonical id of the caller who created it. */
  owner: string;
  acl: AclEntry[];
  defaultObjectAcl: AclEntry[];
  metageneration: number;
  /** Other configuration sub-resources (cors, lifecycle, logging, ...) kept verbatim as XML text. */
  config: Record<string, string>;
}

export interface ObjectRecord {
  bucket: string;
  name: string;
  /** Decimal int64: never a JS number on the wire. */
  generation: string;
  metageneration: number;
  size: number;
  /** base64 MD5; absent for composite and multipart objects, as on the real service. */
  md5?: string;
  /** base64 big-endian CRC32C. */
  crc32c: string;
  /** Quoted ETag as sent on the wire. */
  etag: string;
  contentType?: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  storageClass: string;
  customTime?: string;
  /** x-goog-meta-* keys, lower-cased, without the prefix. */
  metadata: Record<string, string>;
  /** ms since epoch: creation of this generation, and last update (metadata or ACL change). */
  created: number;
  updated: number;
  componentCount?: number;
  owner: string;
  acl: AclEntry[];
  /** Id of the immutable blob that holds the bytes. */
  blob: string;
}

/** A finished blob: where the bytes are and what they hash to. */
export interface BlobInfo {
  id: string;
  size: number;
  md5: string;
  crc32c: string;
}
