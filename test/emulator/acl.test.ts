import test from 'ava';
import { bucket, emulator, errorCode, put } from '../helpers/emulator.js';

const entries = (xml: string): string[] => [...xml.matchAll(/<Entry>(.*?)<\/Entry>/g)].map((m) => m[1] ?? '');

test('a new object gets the project-private default entries: owner, owners, editors, viewers', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'o', 'x');
  const xml = await (await emu.call(`/${b}/o?acl`)).text();
  t.regex(
    xml,
    /^<\?xml version='1.0' encoding='UTF-8'\?><AccessControlList><Owner><ID>00b4903a97[0-9a-f]{54}<\/ID><\/Owner><Entries>/,
  );
  const e = entries(xml);
  t.is(e.length, 4);
  t.regex(
    e[0] ?? '',
    /^<Scope type='UserById'><ID>00b4903a97[0-9a-f]{54}<\/ID><\/Scope><Permission>FULL_CONTROL<\/Permission>$/,
  );
  t.deepEqual(
    e.map((x) => /<Permission>(\w+)</.exec(x)?.[1]),
    ['FULL_CONTROL', 'FULL_CONTROL', 'FULL_CONTROL', 'READ'],
  );
});

test('an ACL document replaces the object ACL and bumps the metageneration', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'o', 'x');
  const current = await (await emu.call(`/${b}/o?acl`)).text();
  const added = current.replace(
    '</Entries>',
    "<Entry><Scope type='UserByEmail'><EmailAddress>jane@example.com</EmailAddress></Scope><Permission>READ</Permission></Entry><Entry><Scope type='AllUsers'/><Permission>READ</Permission></Entry></Entries>",
  );
  t.is((await emu.call(`/${b}/o?acl`, { method: 'PUT', body: added })).status, 200);
  const after = await (await emu.call(`/${b}/o?acl`)).text();
  t.true(
    after.includes(
      "<Entry><Scope type='UserByEmail'><EmailAddress>jane@example.com</EmailAddress></Scope><Permission>READ</Permission></Entry>",
    ),
  );
  t.true(after.includes("<Scope type='AllUsers'/>"));
  const head = await emu.call(`/${b}/o`, { method: 'HEAD' });
  t.is(head.headers.get('x-goog-metageneration'), '2');
  t.is(head.headers.get('cache-control'), 'public, max-age=3600');
});

test('canned ACLs: x-goog-acl on upload and on an empty ?acl PUT; unknown names and public-read-write on objects fail', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'pub', 'x', { 'x-goog-acl': 'public-read' });
  t.true(
    (await (await emu.call(`/${b}/pub?acl`)).text()).includes(
      "<Scope type='AllUsers'/><Permission>READ</Permission>",
    ),
  );
  await put(emu, b, 'priv', 'x');
  t.is(
    (await emu.call(`/${b}/priv?acl`, { method: 'PUT', headers: { 'x-goog-acl': 'private' } })).status,
    200,
  );
  t.is(entries(await (await emu.call(`/${b}/priv?acl`)).text()).length, 1);
  t.is(
    errorCode(await (await put(emu, b, 'bad', 'x', { 'x-goog-acl': 'everyone' })).text()),
    'InvalidArgument',
  );
  t.is((await put(emu, b, 'bad', 'x', { 'x-goog-acl': 'public-read-write' })).status, 400);
  t.is((await emu.call(`/${b}/bad`, { method: 'HEAD' })).status, 404);
});

test('malformed ACLs are MalformedACLError: bad XML, unknown scope type, missing children', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'o', 'x');
  for (const body of [
    '<AccessControlList><Entries>',
    "<AccessControlList><Entries><Entry><Scope type='Robot'/><Permission>READ</Permission></Entry></Entries></AccessControlList>",
    "<AccessControlList><Entries><Entry><Scope type='UserByEmail'/><Permission>READ</Permission></Entry></Entries></AccessControlList>",
    "<AccessControlList><Entries><Entry><Scope type='AllUsers'/><Permission>OWN</Permission></Entry></Entries></AccessControlList>",
  ]) {
    const res = await emu.call(`/${b}/o?acl`, { method: 'PUT', body });
    t.is(res.status, 400, body);
    t.is(errorCode(await res.text()), 'MalformedACLError', body);
  }
});

test('bucket ACL and default object ACL are read and set; new objects follow the default', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  t.is(entries(await (await emu.call(`/${b}?acl`)).text()).length, 4);
  t.is(entries(await (await emu.call(`/${b}?defaultObjectAcl`)).text()).length, 3);
  t.is(
    (await emu.call(`/${b}?defaultObjectAcl`, { method: 'PUT', headers: { 'x-goog-acl': 'public-read' } }))
      .status,
    200,
  );
  await put(emu, b, 'o', 'x');
  const xml = await (await emu.call(`/${b}/o?acl`)).text();
  t.true(xml.includes("<Scope type='AllUsers'/><Permission>READ</Permission>"));
  t.is(entries(xml).length, 2);
  t.is(
    (await emu.call(`/${b}?acl`, { method: 'PUT', headers: { 'x-goog-acl': 'public-read-write' } })).status,
    200,
  );
  t.true((await (await emu.call(`/${b}?acl`)).text()).includes('<Permission>WRITE</Permission>'));
});

test('an ACL PUT honours generation preconditions', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'o', 'x');
  const res = await emu.call(`/${b}/o?acl`, {
    method: 'PUT',
    headers: { 'x-goog-acl': 'private', 'x-goog-if-metageneration-match': '7' },
  });
  t.is(res.status, 412);
});
