// ACL documents <-> Acl. Writes GCS's AccessControlList with exactly the children boto's strict parser
// allows per Scope type (spec §5.1); reads that dialect and S3's AccessControlPolicy (Grant/Grantee), so an
// emulator answering in either dialect maps to one model. Grants the model cannot express (S3 READ_ACP,
// WRITE_ACP, LogDelivery group) are dropped on read: GCS never returns them.

import type { Acl, AclEntry, AclScope, Permission } from '../types.js';
import { attr, child, children, element, malformed, parseXml, text, XML_DECLARATION } from './parser.js';
import type { XmlNode } from './parser.js';

const PERMISSIONS: readonly Permission[] = ['READ', 'WRITE', 'FULL_CONTROL'];
const SCOPE_TYPES: readonly AclScope['type'][] = [
  'UserById',
  'UserByEmail',
  'GroupById',
  'GroupByEmail',
  'GroupByDomain',
  'AllUsers',
  'AllAuthenticatedUsers',
];

function scopeXml(scope: AclScope): string {
  let inner: string;
  switch (scope.type) {
    case 'UserById':
    case 'GroupById':
      inner = element('ID', scope.id) + (scope.name === undefined ? '' : element('Name', scope.name));
      break;
    case 'UserByEmail':
    case 'GroupByEmail':
      inner =
        element('EmailAddress', scope.email) + (scope.name === undefined ? '' : element('Name', scope.name));
      break;
    case 'GroupByDomain':
      inner = element('Domain', scope.domain);
      break;
    case 'AllUsers':
    case 'AllAuthenticatedUsers':
      inner = '';
      break;
  }
  return `<Scope type="${scope.type}">${inner}</Scope>`;
}

/** Acl -> `<AccessControlList>` document (GCS dialect, with the XML declaration). */
export function buildAccessControlList(acl: Acl): string {
  const owner =
    acl.owner === undefined
      ? ''
      : `<Owner>${element('ID', acl.owner.id)}${acl.owner.name === undefined ? '' : element('Name', acl.owner.name)}</Owner>`;
  const entries = acl.entries
    .map((e) => `<Entry>${scopeXml(e.scope)}<Permission>${e.permission}</Permission></Entry>`)
    .join('');
  return `${XML_DECLARATION}<AccessControlList>${owner}<Entries>${entries}</Entries></AccessControlList>`;
}

function permission(value: string | undefined): Permission | undefined {
  const v = value?.trim();
  return PERMISSIONS.find((p) => p === v);
}

function need(node: XmlNode, name: string, type: string): string {
  const v = text(node, name);
  if (v === undefined) throw malformed(`<Scope type="${type}"> lacks <${name}>`);
  return v;
}

function withName<T extends object>(scope: T, node: XmlNode): T & { name?: string } {
  // boto writes <Name>; GCS may also send <DisplayName>. Empty display names carry nothing.
  const name = text(node, 'Name') ?? text(node, 'DisplayName');
  return name === undefined || name === '' ? scope : { ...scope, name };
}

function gcsScope(node: XmlNode): AclScope {
  const raw = attr(node, 'type') ?? '';
  const type = SCOPE_TYPES.find((t) => t.toLowerCase() === raw.trim().toLowerCase());
  switch (type) {
    case 'UserById':
    case 'GroupById':
      return withName({ type, id: need(node, 'ID', type) }, node);
    case 'UserByEmail':
    case 'GroupByEmail':
      return withName({ type, email: need(node, 'EmailAddress', type) }, node);
    case 'GroupByDomain':
      return { type, domain: need(node, 'Domain', type) };
    case 'AllUsers':
    case 'AllAuthenticatedUsers':
      return { type };
    case undefined:
      throw malformed(`unknown Scope type ${JSON.stringify(raw)}`);
  }
}

function owner(node: XmlNode | undefined): Acl['owner'] {
  if (node === undefined) return undefined;
  const id = text(node, 'ID');
  if (id === undefined || id === '') return undefined;
  return withName({ id }, node);
}

function parseGcs(list: XmlNode): Acl {
  const entriesNode = child(list, 'Entries');
  const entries = (entriesNode === undefined ? [] : children(entriesNode, 'Entry')).map((entry): AclEntry => {
    const scope = child(entry, 'Scope');
    if (scope === undefined) throw malformed('<Entry> lacks <Scope>');
    const p = permission(text(entry, 'Permission'));
    if (p === undefined) throw malformed(`bad Permission ${JSON.stringify(text(entry, 'Permission'))}`);
    return { scope: gcsScope(scope), permission: p };
  });
  const o = owner(child(list, 'Owner'));
  return o === undefined ? { entries } : { owner: o, entries };
}

const S3_GROUPS: Record<string, AclScope> = {
  AllUsers: { type: 'AllUsers' },
  AuthenticatedUsers: { type: 'AllAuthenticatedUsers' },
};

function s3Scope(grantee: XmlNode): AclScope | undefined {
  const type = attr(grantee, 'type');
  if (type === 'CanonicalUser') {
    return withName({ type: 'UserById' as const, id: need(grantee, 'ID', type) }, grantee);
  }
  if (type === 'AmazonCustomerByEmail') {
    return withName({ type: 'UserByEmail' as const, email: need(grantee, 'EmailAddress', type) }, grantee);
  }
  if (type === 'Group') return S3_GROUPS[need(grantee, 'URI', type).split('/').pop() ?? ''];
  throw malformed(`unknown Grantee type ${JSON.stringify(type)}`);
}

function parseS3(policy: XmlNode): Acl {
  const list = child(policy, 'AccessControlList');
  const entries: AclEntry[] = [];
  for (const grant of list === undefined ? [] : children(list, 'Grant')) {
    const grantee = child(grant, 'Grantee');
    if (grantee === undefined) throw malformed('<Grant> lacks <Grantee>');
    const scope = s3Scope(grantee);
    const p = permission(text(grant, 'Permission'));
    if (scope !== undefined && p !== undefined) entries.push({ scope, permission: p });
  }
  const o = owner(child(policy, 'Owner'));
  return o === undefined ? { entries } : { owner: o, entries };
}

/** `<AccessControlList>` (GCS) or `<AccessControlPolicy>` (S3) -> Acl. */
export function parseAccessControlList(body: string): Acl {
  const doc = parseXml(body);
  const gcs = child(doc, 'AccessControlList');
  if (gcs !== undefined) return parseGcs(gcs);
  const s3 = child(doc, 'AccessControlPolicy');
  if (s3 !== undefined) return parseS3(s3);
  throw malformed('expected <AccessControlList> or <AccessControlPolicy>');
}
