// Extended attributes: object and bucket metadata and ACLs under `user.gcs.*`, and every other `user.*`
// name as custom metadata (xattr-names.ts decides which key a name means and what may be stored), see
// docs/XATTRS.md. A table maps each `user.gcs.` name to what it reads and writes; names outside `user.` are
// ENOTSUP, absent ones ENODATA.

import type { StorageBackend } from '../../storage/backend.js';
import {
  CANNED_ACLS,
  type AclTarget,
  type CannedAcl,
  type ObjectMeta,
  type WritableField,
  type WritableMetadata,
} from '../../storage/types.js';
import { addGrant, aclToText, parseEntry, textToAcl } from './acl-text.js';
import { FsError } from '../posix/errors.js';
import { writableOf } from '../../storage/writable-metadata.js';
import type { Node } from './nodes.js';
import {
  checkCustom,
  customKeyOf,
  GCS_PREFIX,
  isInternalKey,
  nameOfCustomKey,
  USER_PREFIX,
} from './xattr-names.js';

export const PREFIX = GCS_PREFIX;

const READ_ONLY: Record<string, (m: ObjectMeta) => string | undefined> = {
  generation: (m) => m.generation,
  metageneration: (m) => m.metageneration,
  md5: (m) => m.md5,
  crc32c: (m) => m.crc32c,
  etag: (m) => m.etag,
  'storage-class': (m) => m.storageClass,
  size: (m) => String(m.size),
};

/** Every writable field but the storage class, which the xattrs show read-only (READ_ONLY above). */
type HeaderField = Exclude<WritableField, 'storageClass'>;
const WRITABLE: Record<string, HeaderField> = {
  'content-type': 'contentType',
  'cache-control': 'cacheControl',
  'content-encoding': 'contentEncoding',
  'content-disposition': 'contentDisposition',
  'content-language': 'contentLanguage',
};

type AclNames = { acl: AclTarget; extra?: { name: string; target: AclTarget } };

function aclTargets(node: Node): AclNames | undefined {
  switch (node.kind) {
    case 'bucket':
      return {
        acl: { kind: 'bucket', bucket: node.bucket },
        extra: { name: 'default-acl', target: { kind: 'default-object', bucket: node.bucket } },
      };
    case 'file':
    case 'symlink':
      return { acl: { kind: 'object', bucket: node.bucket, name: node.key } };
    case 'dir':
      return node.marker ? { acl: { kind: 'object', bucket: node.bucket, name: `${node.key}/` } } : undefined;
    case 'root':
      return undefined;
  }
}

function objectMeta(node: Node): ObjectMeta | undefined {
  if (node.kind === 'file' || node.kind === 'symlink') return node.meta;
  if (node.kind === 'dir' && node.marker && 'metadata' in node.marker) return node.marker;
  return undefined;
}

export class Xattrs {
  constructor(
    readonly backend: StorageBackend,
    /** Full metadata of a directory marker (listings carry only part of it). */
    readonly statMarker: (bucket: string, key: string) => Promise<ObjectMeta>,
  ) {}

  async #meta(node: Node): Promise<ObjectMeta | undefined> {
    const m = objectMeta(node);
    if (m) return m;
    if (node.kind === 'dir' && node.marker) return this.statMarker(node.bucket, `${node.key}/`);
    return undefined;
  }

  /** The names a copy should carry: custom metadata, once, as `user.KEY`; internal keys stay out of sight.
   *  The `user.gcs.*` names are virtual (computed or owned by the service, like CephFS's `ceph.*`): read
   *  and written by name, not listed, because `rsync -X` copies every listed name and removes listed
   *  names the source lacks, which fails for read-only ones (generation, md5, ...). */
  async list(node: Node): Promise<string[]> {
    const meta = await this.#meta(node);
    if (!meta) return [];
    return Object.keys(meta.metadata)
      .filter((k) => !isInternalKey(k))
      .map(nameOfCustomKey);
  }

  async get(node: Node, name: string): Promise<Buffer> {
    const custom = customKeyOf(strip(name));
    if (custom !== undefined) {
      const m = await this.#meta(node);
      const value = m && Object.hasOwn(m.metadata, custom) ? m.metadata[custom] : undefined;
      if (value === undefined) throw new FsError('no-data', `no attribute ${name}`);
      return Buffer.from(value);
    }
    const key = name.slice(PREFIX.length);
    const targets = aclTargets(node);
    if (key === 'acl' && targets) return Buffer.from(aclToText(await this.backend.getAcl(targets.acl)));
    if (targets?.extra && key === targets.extra.name) {
      return Buffer.from(aclToText(await this.backend.getAcl(targets.extra.target)));
    }
    const meta = await this.#meta(node);
    if (!meta) throw new FsError('no-data', `no attribute ${name}`);
    const ro = READ_ONLY[key];
    const field = WRITABLE[key];
    const value = ro ? ro(meta) : field ? meta[field] : undefined;
    if (value === undefined) throw new FsError('no-data', `no attribute ${name}`);
    return Buffer.from(value);
  }

  /** Applies a change: an ACL replacement, grant or canned ACL, or a metadata field. */
  async set(node: Node, name: string, value: Buffer): Promise<void> {
    const custom = customKeyOf(strip(name));
    const text = value.toString('utf8');
    if (custom !== undefined) {
      const meta = await this.#meta(node);
      if (!meta)
        throw new FsError('not-supported', `${name} needs an object (this directory has no marker object)`);
      if (custom === '') throw new FsError('invalid', `${name}: a custom metadata name is needed`);
      // A value that is not valid UTF-8 would not survive the round trip through text.
      checkCustom(name, custom, Buffer.from(text).equals(value) ? text : '\u0000', meta.metadata);
      const w = writableOf(meta);
      w.metadata[custom] = text;
      return this.#update(meta, w);
    }
    const key = name.slice(PREFIX.length);
    const targets = aclTargets(node);
    const aclFor = (k: string): AclTarget | undefined => {
      if (!targets) return undefined;
      if (k === 'acl') return targets.acl;
      if (targets.extra && k === targets.extra.name) return targets.extra.target;
      return undefined;
    };
    const [base, verb] = key.endsWith('.grant')
      ? [key.slice(0, -6), 'grant']
      : key.endsWith('.canned')
        ? [key.slice(0, -7), 'canned']
        : [key, 'replace'];
    const target = aclFor(base);
    if (target) {
      if (verb === 'canned') {
        const canned = text.trim() as CannedAcl;
        if (!CANNED_ACLS.includes(canned))
          throw new FsError(
            'invalid',
            `unknown canned ACL '${text.trim()}': one of ${CANNED_ACLS.join(', ')}`,
          );
        return this.backend.setAcl(target, canned);
      }
      if (verb === 'grant') {
        const current = await this.backend.getAcl(target);
        return this.backend.setAcl(target, addGrant(current, parseEntry(text.trim())));
      }
      return this.backend.setAcl(target, textToAcl(text));
    }
    if (key in READ_ONLY) throw new FsError('perm', `${name} is read-only`);
    const meta = await this.#meta(node);
    if (!meta)
      throw new FsError('not-supported', `${name} needs an object (this directory has no marker object)`);
    const w = writableOf(meta);
    const field = WRITABLE[key];
    if (field) w[field] = text;
    else throw new FsError('not-supported', `unknown attribute ${name}; see docs/XATTRS.md`);
    await this.#update(meta, w);
  }

  async remove(node: Node, name: string): Promise<void> {
    const custom = customKeyOf(strip(name));
    // The user.gcs. name without its prefix ('' for a custom-metadata name, which no table holds).
    const key = custom === undefined ? name.slice(PREFIX.length) : '';
    const meta = await this.#meta(node);
    if (!meta) throw new FsError('no-data', `no attribute ${name}`);
    if (custom !== undefined && isInternalKey(custom)) {
      throw new FsError('perm', `${name} is kept by gcsmount itself (chmod, chown, touch, ln -s set it)`);
    }
    let w = writableOf(meta);
    const field = WRITABLE[key];
    if (field && field !== 'contentType' && w[field] !== undefined) {
      w = Object.fromEntries(Object.entries(w).filter(([k]) => k !== field)) as typeof w;
    } else if (custom !== undefined && Object.hasOwn(w.metadata, custom)) {
      w.metadata = Object.fromEntries(Object.entries(w.metadata).filter(([k]) => k !== custom));
    } else if (key in READ_ONLY || key === 'acl' || field === 'contentType') {
      throw new FsError('perm', `${name} cannot be removed`);
    } else throw new FsError('no-data', `no attribute ${name}`);
    await this.#update(meta, w);
  }

  async #update(meta: ObjectMeta, w: WritableMetadata): Promise<void> {
    await this.backend.updateObjectMetadata(meta.bucket, meta.name, w, {
      ifGenerationMatch: meta.generation,
    });
  }
}

/** Throws for a name that cannot exist here, before any lookup; returns it. The kernel asks for
 *  security.capability before every write to a file; answering that without I/O keeps writes fast. */
export function strip(name: string): string {
  if (!name.startsWith(USER_PREFIX))
    throw new FsError('not-supported', `only user.* attributes exist here, not ${name}`);
  return name;
}
