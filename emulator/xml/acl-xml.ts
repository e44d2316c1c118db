// ACL documents in both dialects (spec 5): GCS's AccessControlList with typed Scope elements, and S3's
// AccessControlPolicy for AWS-signed requests. Writing emits for each scope type exactly the children that
// type allows, because boto's parser rejects anything else.

import { ApiError } from '../errors.js';
import type { Dialect } from '../hooks.js';
import type { AclEntry, AclScope } from '../store/records.js';
import { document, el, S3_NS, wrap } from './writer.js';
import { nodes, parseBody, text, type XmlNode } from './parse.js';

const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTH_USERS_URI = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

export function aclDocument(owner: string, entries: readonly AclEntry[], dialect: Dialect): string {
  return dialect === 's3' ? s3Policy(owner, entries) : gcsList(owner, entries);
}

function gcsList(owner: string, entries: readonly AclEntry[]): string {
  const items = entries
    .map((e) => wrap('Entry', gcsScope(e.scope) + el('Permission', e.permission)))
    .join('');
  return document('AccessControlList', wrap('Owner', el('ID', owner)) + wrap('Entries', items));
}

function gcsScope(s: AclScope): string {
  const attr = ` type='${s.type}'`;
  switch (s.type) {
    case 'UserById':
    case 'GroupById':
      return wrap('Scope', el('ID', s.id) + (s.name ? el('Name', s.name) : ''), attr);
    case 'UserByEmail':
    case 'GroupByEmail':
      return wrap('Scope', el('EmailAddress', s.email) + (s.name ? el('Name', s.name) : ''), attr);
    case 'GroupByDomain':
      return wrap('Scope', el('Domain', s.domain), attr);
    case 'AllUsers':
    case 'AllAuthenticatedUsers':
      return `<Scope${attr}/>`;
  }
}

function s3Policy(owner: string, entries: readonly AclEntry[]): string {
  const xsi = ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;
  const grants = entries
    .flatMap((e) => {
      const g = s3Grantee(e.scope);
      return g
        ? [
            wrap(
              'Grant',
              wrap('Grantee', g.body, `${xsi} xsi:type="${g.type}"`) + el('Permission', e.permission),
            ),
          ]
        : [];
    })
    .join('');
  return document(
    'AccessControlPolicy',
    wrap('Owner', el('ID', owner) + el('DisplayName', '', true)) + wrap('AccessControlList', grants),
    S3_NS,
  );
}

function s3Grantee(s: AclScope): { type: string; body: string } | undefined {
  switch (s.type) {
    case 'UserById':
    case 'GroupById':
      return { type: 'CanonicalUser', body: el('ID', s.id) + (s.name ? el('DisplayName', s.name) : '') };
    case 'UserByEmail':
    case 'GroupByEmail':
      return { type: 'AmazonCustomerByEmail', body: el('EmailAddress', s.email) };
    case 'AllUsers':
      return { type: 'Group', body: el('URI', ALL_USERS_URI) };
    case 'AllAuthenticatedUsers':
      return { type: 'Group', body: el('URI', AUTH_USERS_URI) };
    case 'GroupByDomain':
      return undefined; // S3 has no domain grantee
  }
}

/** Parses an ACL body in either dialect (whatever the signature, clients send what they know). */
export function parseAcl(body: string): AclEntry[] {
  const trimmed = body.replace(/^<\?xml[^>]*\?>/, '').trimStart();
  if (/^<(\w+:)?AccessControlPolicy[\s>]/.test(trimmed))
    return parseS3(parseBody(body, 'AccessControlPolicy', 'MalformedACLError'));
  const root = parseBody(body, 'AccessControlList', 'MalformedACLError');
  const entriesNode = nodes(root, 'Entries')[0] ?? {};
  return nodes(entriesNode, 'Entry').map((entry) => {
    const scope = nodes(entry, 'Scope')[0];
    if (!scope) throw new ApiError('MalformedACLError', 'Entry without Scope');
    return { scope: parseScope(scope), permission: permission(text(entry, 'Permission')) };
  });
}

function parseScope(node: XmlNode): AclScope {
  const type = node['@type'];
  const name = text(node, 'Name');
  const withName = <T extends object>(s: T): T => (name ? { ...s, name } : s);
  const need = (field: string): string => {
    const v = text(node, field);
    if (!v) throw new ApiError('MalformedACLError', `Scope type ${String(type)} needs ${field}`);
    return v;
  };
  switch (type) {
    case 'UserById':
    case 'GroupById':
      return withName({ type, id: need('ID') });
    case 'UserByEmail':
    case 'GroupByEmail':
      return withName({ type, email: need('EmailAddress') });
    case 'GroupByDomain':
      return { type, domain: need('Domain') };
    case 'AllUsers':
    case 'AllAuthenticatedUsers':
      return { type };
    default:
      throw new ApiError('MalformedACLError', `Unknown Scope type ${String(type)}`);
  }
}

function parseS3(root: XmlNode): AclEntry[] {
  const list = nodes(root, 'AccessControlList')[0] ?? {};
  return nodes(list, 'Grant').map((grant) => {
    const grantee = nodes(grant, 'Grantee')[0] ?? {};
    const type = grantee['@type'];
    const uri = text(grantee, 'URI');
    let scope: AclScope;
    if (type === 'Group' && uri === ALL_USERS_URI) scope = { type: 'AllUsers' };
    else if (type === 'Group' && uri === AUTH_USERS_URI) scope = { type: 'AllAuthenticatedUsers' };
    else if (type === 'AmazonCustomerByEmail')
      scope = { type: 'UserByEmail', email: text(grantee, 'EmailAddress') ?? '' };
    else if (type === 'CanonicalUser') scope = { type: 'UserById', id: text(grantee, 'ID') ?? '' };
    else throw new ApiError('MalformedACLError', `Unsupported grantee ${String(type)}`);
    const p = text(grant, 'Permission');
    // S3's READ_ACP/WRITE_ACP have no GCS equivalent; the service folds them into the nearest permission.
    return {
      scope,
      permission: permission(p === 'READ_ACP' ? 'READ' : p === 'WRITE_ACP' ? 'FULL_CONTROL' : p),
    };
  });
}

function permission(p: string | undefined): AclEntry['permission'] {
  if (p === 'READ' || p === 'WRITE' || p === 'FULL_CONTROL') return p;
  throw new ApiError('MalformedACLError', `Unknown Permission ${String(p)}`);
}
