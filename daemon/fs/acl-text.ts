// ACLs as text for getfattr/setfattr: one entry per line, `PERMISSION SCOPE`, e.g.
//   FULL_CONTROL user-id:00b4903a97...
//   READ user:jane@example.com
//   READ allUsers
// Scopes: user-id:ID, user:EMAIL, group-id:ID, group:EMAIL, domain:DOMAIN, allUsers, allAuthenticatedUsers.
// The grammar is documented in docs/XATTRS.md; parsing is strict so a typo never silently drops a grant.

import type { Acl, AclEntry, AclScope, Permission } from '../../storage/types.js';
import { FsError } from '../posix/errors.js';

const PERMISSIONS: readonly Permission[] = ['READ', 'WRITE', 'FULL_CONTROL'];

export function scopeText(s: AclScope): string {
  switch (s.type) {
    case 'UserById':
      return `user-id:${s.id}`;
    case 'UserByEmail':
      return `user:${s.email}`;
    case 'GroupById':
      return `group-id:${s.id}`;
    case 'GroupByEmail':
      return `group:${s.email}`;
    case 'GroupByDomain':
      return `domain:${s.domain}`;
    case 'AllUsers':
      return 'allUsers';
    case 'AllAuthenticatedUsers':
      return 'allAuthenticatedUsers';
  }
}

export function aclToText(acl: Acl): string {
  return acl.entries.map((e) => `${e.permission} ${scopeText(e.scope)}\n`).join('');
}

export function parseEntry(line: string): AclEntry {
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(line);
  const permission = m?.[1]?.toUpperCase() as Permission | undefined;
  const scope = m?.[2];
  if (!permission || !scope || !PERMISSIONS.includes(permission)) {
    throw new FsError('invalid', `bad ACL entry '${line}': expected 'READ|WRITE|FULL_CONTROL SCOPE'`);
  }
  return { permission, scope: parseScope(scope) };
}

function parseScope(text: string): AclScope {
  if (text === 'allUsers') return { type: 'AllUsers' };
  if (text === 'allAuthenticatedUsers') return { type: 'AllAuthenticatedUsers' };
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const value = text.slice(colon + 1);
  if (colon > 0 && value !== '') {
    switch (kind) {
      case 'user-id':
        return { type: 'UserById', id: value };
      case 'user':
        return { type: 'UserByEmail', email: value };
      case 'group-id':
        return { type: 'GroupById', id: value };
      case 'group':
        return { type: 'GroupByEmail', email: value };
      case 'domain':
        return { type: 'GroupByDomain', domain: value };
    }
  }
  throw new FsError(
    'invalid',
    `bad ACL scope '${text}': use user:EMAIL, user-id:ID, group:EMAIL, group-id:ID, domain:D, allUsers or allAuthenticatedUsers`,
  );
}

export function textToAcl(text: string): Acl {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  return { entries: lines.map(parseEntry) };
}

/** Adds a grant, replacing an entry for the same scope (boto's add_email_grant does the same). */
export function addGrant(acl: Acl, entry: AclEntry): Acl {
  const same = (e: AclEntry): boolean => scopeText(e.scope) === scopeText(entry.scope);
  return { ...acl, entries: [...acl.entries.filter((e) => !same(e)), entry] };
}
