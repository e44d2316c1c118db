import test from 'ava';
import { bucket, emulator, errorCode, put } from '../helpers/emulator.js';

test('copy keeps source metadata by default (COPY) and makes a new generation', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const src = await put(emu, b, 'src', 'payload', {
    'content-type': 'text/plain',
    'x-goog-meta-color': 'blue',
  });
  const res = await emu.call(`/${b}/dst`, {
    method: 'PUT',
    headers: { 'x-goog-copy-source': `/${b}/src`, 'content-type': 'x/ignored' },
  });
  t.is(res.status, 200);
  const xml = await res.text();
  t.regex(
    xml,
    /^<\?xml version='1.0' encoding='UTF-8'\?><CopyObjectResult><LastModified>[^<]+<\/LastModified><ETag>"[0-9a-f]{32}"<\/ETag><\/CopyObjectResult>$/,
  );
  t.not(res.headers.get('x-goog-generation'), src.headers.get('x-goog-generation'));
  const head = await emu.call(`/${b}/dst`, { method: 'HEAD' });
  t.is(head.headers.get('content-type'), 'text/plain');
  t.is(head.headers.get('x-goog-meta-color'), 'blue');
  t.is(await (await emu.call(`/${b}/dst`)).text(), 'payload');
});

test('copy with REPLACE takes the request metadata; copy-to-self needs REPLACE', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'o', 'x', { 'x-goog-meta-a': '1' });
  const self = await emu.call(`/${b}/o`, { method: 'PUT', headers: { 'x-goog-copy-source': `${b}/o` } });
  t.is(self.status, 400);
  t.is(errorCode(await self.text()), 'InvalidArgument');
  const gen = (await emu.call(`/${b}/o`, { method: 'HEAD' })).headers.get('x-goog-generation') ?? '';
  const replaced = await emu.call(`/${b}/o`, {
    method: 'PUT',
    headers: {
      'x-goog-copy-source': `${b}/o`,
      'x-goog-copy-source-generation': gen,
      'x-goog-if-generation-match': gen,
      'x-goog-metadata-directive': 'REPLACE',
      'x-goog-meta-b': '2',
    },
  });
  t.is(replaced.status, 200);
  const head = await emu.call(`/${b}/o`, { method: 'HEAD' });
  t.is(head.headers.get('x-goog-meta-a'), null);
  t.is(head.headers.get('x-goog-meta-b'), '2');
  t.is(head.headers.get('x-goog-metageneration'), '1');
});

test('copy errors: missing source, stale source precondition, destination precondition', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 's', 'x');
  t.is(
    errorCode(
      await (
        await emu.call(`/${b}/d`, { method: 'PUT', headers: { 'x-goog-copy-source': `/${b}/none` } })
      ).text(),
    ),
    'NoSuchKey',
  );
  const ifMatch = await emu.call(`/${b}/d`, {
    method: 'PUT',
    headers: { 'x-goog-copy-source': `/${b}/s`, 'x-goog-copy-source-if-match': '"0"' },
  });
  t.is(ifMatch.status, 412);
  await put(emu, b, 'd', 'exists');
  const dest = await emu.call(`/${b}/d`, {
    method: 'PUT',
    headers: { 'x-goog-copy-source': `/${b}/s`, 'x-goog-if-generation-match': '0' },
  });
  t.is(dest.status, 412);
  t.is(await (await emu.call(`/${b}/d`)).text(), 'exists');
});

test('compose concatenates components; the result has crc32c only and a component count', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'p1', 'hello ');
  await put(emu, b, 'p2', 'world');
  const body =
    '<ComposeRequest><Component><Name>p1</Name></Component><Component><Name>p2</Name></Component></ComposeRequest>';
  const res = await emu.call(`/${b}/all?compose`, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'text/plain' },
  });
  t.is(res.status, 200);
  t.truthy(res.headers.get('x-goog-generation'));
  const head = await emu.call(`/${b}/all`, { method: 'HEAD' });
  t.is(head.headers.get('x-goog-hash'), 'crc32c=yZRlqg==');
  t.is(head.headers.get('x-goog-component-count'), '2');
  t.is(head.headers.get('content-type'), 'text/plain');
  t.is(await (await emu.call(`/${b}/all`)).text(), 'hello world');
  const twice = `<ComposeRequest><Component><Name>all</Name></Component><Component><Name>p1</Name></Component></ComposeRequest>`;
  await emu.call(`/${b}/again?compose`, { method: 'PUT', body: twice });
  t.is((await emu.call(`/${b}/again`, { method: 'HEAD' })).headers.get('x-goog-component-count'), '3');
});

test('compose errors: missing component, generation mismatch, too many, malformed', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  await put(emu, b, 'p', 'x');
  const missing = '<ComposeRequest><Component><Name>nope</Name></Component></ComposeRequest>';
  t.is(
    errorCode(await (await emu.call(`/${b}/c?compose`, { method: 'PUT', body: missing })).text()),
    'NoSuchKey',
  );
  const stale =
    '<ComposeRequest><Component><Name>p</Name><IfGenerationMatch>1</IfGenerationMatch></Component></ComposeRequest>';
  t.is((await emu.call(`/${b}/c?compose`, { method: 'PUT', body: stale })).status, 412);
  const many = `<ComposeRequest>${'<Component><Name>p</Name></Component>'.repeat(33)}</ComposeRequest>`;
  t.is(
    errorCode(await (await emu.call(`/${b}/c?compose`, { method: 'PUT', body: many })).text()),
    'InvalidArgument',
  );
  t.is(
    errorCode(
      await (await emu.call(`/${b}/c?compose`, { method: 'PUT', body: '<ComposeRequest><Comp' })).text(),
    ),
    'MalformedXML',
  );
});
