import { deepStrictEqual } from 'node:assert/strict';
import test from 'ava';
import { xmlCanCarry } from '../../../storage/xml/parser.js';
import fc from 'fast-check';
import { isStorageError } from '../../../storage/errors.js';
import type { Acl, AclScope, Permission } from '../../../storage/types.js';
import { buildAccessControlList, parseAccessControlList } from '../../../storage/xml/access-control-list.js';

// Spec §5.1 example, verbatim.
const SPEC = `<?xml version='1.0' encoding='UTF-8'?>
<AccessControlList>
  <Owner><ID>00b4903a97951ac13429af116a9874587b212fd507d682097b3140e50f72406e</ID></Owner>
  <Entries>
    <Entry>
      <Scope type='GroupById'><ID>00b4903a9721...</ID></Scope>
      <Permission>FULL_CONTROL</Permission>
    </Entry>
    <Entry>
      <Scope type='UserByEmail'><EmailAddress>jane@example.com</EmailAddress><Name>Jane</Name></Scope>
      <Permission>READ</Permission>
    </Entry>
    <Entry>
      <Scope type='AllUsers'/>
      <Permission>READ</Permission>
    </Entry>
  </Entries>
</AccessControlList>`;

const SPEC_ACL: Acl = {
  owner: { id: '00b4903a97951ac13429af116a9874587b212fd507d682097b3140e50f72406e' },
  entries: [
    { scope: { type: 'GroupById', id: '00b4903a9721...' }, permission: 'FULL_CONTROL' },
    { scope: { type: 'UserByEmail', email: 'jane@example.com', name: 'Jane' }, permission: 'READ' },
    { scope: { type: 'AllUsers' }, permission: 'READ' },
  ],
};

test('spec example parses to the model', (t) => {
  t.deepEqual(parseAccessControlList(SPEC), SPEC_ACL);
});

test('writing produces exactly the boto-compatible document', (t) => {
  t.is(
    buildAccessControlList(SPEC_ACL),
    "<?xml version='1.0' encoding='UTF-8'?><AccessControlList>" +
      '<Owner><ID>00b4903a97951ac13429af116a9874587b212fd507d682097b3140e50f72406e</ID></Owner><Entries>' +
      '<Entry><Scope type="GroupById"><ID>00b4903a9721...</ID></Scope><Permission>FULL_CONTROL</Permission></Entry>' +
      '<Entry><Scope type="UserByEmail"><EmailAddress>jane@example.com</EmailAddress><Name>Jane</Name></Scope><Permission>READ</Permission></Entry>' +
      '<Entry><Scope type="AllUsers"></Scope><Permission>READ</Permission></Entry>' +
      '</Entries></AccessControlList>',
  );
});

test('each scope type writes only its allowed children', (t) => {
  const xml = (scope: AclScope): string =>
    buildAccessControlList({ entries: [{ scope, permission: 'READ' }] });
  t.regex(
    xml({ type: 'GroupByDomain', domain: 'example.com' }),
    /<Scope type="GroupByDomain"><Domain>example.com<\/Domain><\/Scope>/,
  );
  t.regex(xml({ type: 'AllAuthenticatedUsers' }), /<Scope type="AllAuthenticatedUsers"><\/Scope>/);
  t.regex(
    xml({ type: 'GroupByEmail', email: 'g@x' }),
    /<Scope type="GroupByEmail"><EmailAddress>g@x<\/EmailAddress><\/Scope>/,
  );
  t.regex(
    xml({ type: 'UserById', id: '1', name: 'n' }),
    /<Scope type="UserById"><ID>1<\/ID><Name>n<\/Name><\/Scope>/,
  );
  t.regex(buildAccessControlList({ entries: [] }), /<Entries><\/Entries>/);
});

test('DisplayName is read as the name; scope types are matched case-insensitively', (t) => {
  const acl = parseAccessControlList(
    "<AccessControlList><Owner><ID>o</ID><DisplayName>Own</DisplayName></Owner><Entries><Entry><Scope type='userbyid'><ID>u</ID><DisplayName>U</DisplayName></Scope><Permission>WRITE</Permission></Entry></Entries></AccessControlList>",
  );
  t.deepEqual(acl, {
    owner: { id: 'o', name: 'Own' },
    entries: [{ scope: { type: 'UserById', id: 'u', name: 'U' }, permission: 'WRITE' }],
  });
});

test('malformed ACLs are refused', (t) => {
  for (const entry of [
    "<Entry><Scope type='Nobody'/><Permission>READ</Permission></Entry>",
    "<Entry><Scope type='UserById'/><Permission>READ</Permission></Entry>",
    "<Entry><Scope type='AllUsers'/><Permission>READ_ACP</Permission></Entry>",
    '<Entry><Permission>READ</Permission></Entry>',
  ]) {
    const e = t.throws(() =>
      parseAccessControlList(`<AccessControlList><Entries>${entry}</Entries></AccessControlList>`),
    );
    t.true(isStorageError(e, 'unavailable'), entry);
  }
});

test('S3 AccessControlPolicy maps to the same model', (t) => {
  const acl = parseAccessControlList(`<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>owner-id</ID><DisplayName>owner</DisplayName></Owner>
  <AccessControlList>
    <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>owner-id</ID><DisplayName>owner</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>
    <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="AmazonCustomerByEmail"><EmailAddress>a@b.c</EmailAddress></Grantee><Permission>READ</Permission></Grant>
    <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>
    <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AuthenticatedUsers</URI></Grantee><Permission>READ</Permission></Grant>
    <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>x</ID></Grantee><Permission>READ_ACP</Permission></Grant>
    <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/s3/LogDelivery</URI></Grantee><Permission>WRITE</Permission></Grant>
  </AccessControlList>
</AccessControlPolicy>`);
  t.deepEqual(acl, {
    owner: { id: 'owner-id', name: 'owner' },
    entries: [
      { scope: { type: 'UserById', id: 'owner-id', name: 'owner' }, permission: 'FULL_CONTROL' },
      { scope: { type: 'UserByEmail', email: 'a@b.c' }, permission: 'READ' },
      { scope: { type: 'AllUsers' }, permission: 'READ' },
      { scope: { type: 'AllAuthenticatedUsers' }, permission: 'READ' },
    ],
  });
});

const xmlText = fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => xmlCanCarry(s));
const withOptionalName = <T extends object>(base: fc.Arbitrary<T>): fc.Arbitrary<T & { name?: string }> =>
  fc
    .tuple(base, fc.option(xmlText, { nil: undefined }))
    .map(([b, name]) => (name === undefined ? b : { ...b, name }));

const scopeArb: fc.Arbitrary<AclScope> = fc.oneof(
  withOptionalName(xmlText.map((id) => ({ type: 'UserById' as const, id }))),
  withOptionalName(xmlText.map((id) => ({ type: 'GroupById' as const, id }))),
  withOptionalName(xmlText.map((email) => ({ type: 'UserByEmail' as const, email }))),
  withOptionalName(xmlText.map((email) => ({ type: 'GroupByEmail' as const, email }))),
  xmlText.map((domain) => ({ type: 'GroupByDomain' as const, domain })),
  fc.constant({ type: 'AllUsers' as const }),
  fc.constant({ type: 'AllAuthenticatedUsers' as const }),
);
const permissionArb = fc.constantFrom<Permission>('READ', 'WRITE', 'FULL_CONTROL');
const aclArb: fc.Arbitrary<Acl> = fc
  .tuple(
    fc.option(withOptionalName(xmlText.map((id) => ({ id }))), { nil: undefined }),
    fc.array(
      fc.tuple(scopeArb, permissionArb).map(([scope, permission]) => ({ scope, permission })),
      { maxLength: 8 },
    ),
  )
  .map(([owner, entries]) => (owner === undefined ? { entries } : { owner, entries }));

test('property: Acl -> XML -> Acl is the identity (markup, spaces and unicode survive)', (t) => {
  fc.assert(
    fc.property(aclArb, (acl) => {
      deepStrictEqual(parseAccessControlList(buildAccessControlList(acl)), acl);
    }),
  );
  t.pass();
});

test('a value XML cannot carry is refused when writing', (t) => {
  const e = t.throws(() =>
    buildAccessControlList({ entries: [{ scope: { type: 'UserById', id: 'a\u0000' }, permission: 'READ' }] }),
  );
  t.true(isStorageError(e, 'invalid-argument'));
});
