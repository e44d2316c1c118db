// Extended attributes: object and bucket metadata and ACLs under `user.gcs.*` (docs/XATTRS.md). A table
// maps each name to what it reads and writes; names outside `user.` are ENOTSUP, absent ones ENODATA.

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
import { FsError } from './errors.js';
import { writableOf } from '../../storage/writable-metadata.js';
import type { Node } from './nodes.js';

export const PREFIX = 'user.gcs.';
const META_PREFIX = `${PREFIX}meta.`;

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

  async list(node: Node): Promise<string[]> {
    const names: string[] = [];
    const targets = aclTargets(node);
    if (targets) names.push(`${PREFIX}acl`);
    if (targets?.extra) names.push(`${PREFIX}${targets.extra.name}`);
    const meta = await this.#meta(node);
    if (meta) {
      for (const [k, f] of Object.entries(READ_ONLY)) if (f(meta) !== undefined) names.push(PREFIX + k);
      for (const [k, f] of Object.entries(WRITABLE)) if (meta[f] !== undefined) names.push(PREFIX + k);
      for (const k of Object.keys(meta.metadata)) names.push(META_PREFIX + k);
    }
    return names;
  }

  async get(node: Node, name: string): Promise<Buffer> {
    const key = strip(name);
    const targets = aclTargets(node);
    if (key === 'acl' && targets) return Buffer.from(aclToText(await this.backend.getAcl(targets.acl)));
    if (targets?.extra && key === targets.extra.name) {
      return Buffer.from(aclToText(await this.backend.getAcl(targets.extra.target)));
    }
    const meta = await this.#meta(node);
    if (!meta) throw new FsError('no-data', `no attribute ${name}`);
    const ro = READ_ONLY[key];
    const field = WRITABLE[key];
    const value = ro
      ? ro(meta)
      : field
        ? meta[field]
        : key.startsWith('meta.')
          ? meta.metadata[key.slice(5)]
          : undefined;
    if (value === undefined) throw new FsError('no-data', `no attribute ${name}`);
    return Buffer.from(value);
  }

  /** Applies a change: an ACL replacement, grant or canned ACL, or a metadata field. */
  async set(node: Node, name: string, value: Buffer): Promise<void> {
    if (!name.startsWith(PREFIX))
      throw new FsError('not-supported', `only user.gcs.* attributes can be set, not ${name}`);
    const key = strip(name);
    const text = value.toString('utf8');
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
    else if (key.startsWith('meta.') && key.length > 5) w.metadata[key.slice(5)] = text;
    else throw new FsError('not-supported', `unknown attribute ${name}; see docs/XATTRS.md`);
    await this.#update(meta, w);
  }

  async remove(node: Node, name: string): Promise<void> {
    const key = strip(name);
    const meta = await this.#meta(node);
    if (!meta) throw new FsError('no-data', `no attribute ${name}`);
    let w = writableOf(meta);
    const field = WRITABLE[key];
    const custom = key.startsWith('meta.') ? key.slice(5) : undefined;
    if (field && field !== 'contentType' && w[field] !== undefined) {
      w = Object.fromEntries(Object.entries(w).filter(([k]) => k !== field)) as typeof w;
    } else if (custom !== undefined && w.metadata[custom] !== undefined) {
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

/** Throws for a name that cannot exist here, before any lookup. The kernel asks for security.capability
 *  before every write to a file; answering that without I/O keeps writes fast. */
export function strip(name: string): string {
  if (!name.startsWith('user.'))
    throw new FsError('not-supported', `only user.gcs.* attributes exist here, not ${name}`);
  if (!name.startsWith(PREFIX)) throw new FsError('no-data', `no attribute ${name}`);
  return name.slice(PREFIX.length);
}
