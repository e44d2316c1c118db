import test from 'ava';
import { isStorageError } from '../../../storage/errors.js';
import { attr, children, escapeXml, parseXml, root, text } from '../../../storage/xml/parser.js';

test('the five XML entities and character references are decoded', (t) => {
  const doc = parseXml('<A><K>&amp;&lt;&gt;&quot;&apos; &#x41;&#66; &#x1F600;</K></A>');
  t.is(text(root(doc, 'A'), 'K'), `&<>"' AB \u{1F600}`);
});

test('DOCTYPE entities are not expanded', (t) => {
  const doc = parseXml('<?xml version="1.0"?><!DOCTYPE A [<!ENTITY x "boom">]><A><K>&x;</K></A>');
  t.is(text(root(doc, 'A'), 'K'), '&x;');
});

test('text keeps leading and trailing spaces and stays a string', (t) => {
  const a = root(parseXml('<A><K>  0001 </K><G>1703868492595821</G><E/><F></F></A>'), 'A');
  t.is(text(a, 'K'), '  0001 ');
  t.is(text(a, 'G'), '1703868492595821');
  t.is(text(a, 'E'), '');
  t.is(text(a, 'F'), '');
  t.is(text(a, 'Missing'), undefined);
});

test('namespaces and prefixes are ignored; attributes are read by local name', (t) => {
  const doc = parseXml(
    "<s3:A xmlns:s3='urn:x' xmlns:xsi='urn:y'><s3:B xsi:type='T'>v</s3:B><Contents><Key>k</Key></Contents></s3:A>",
  );
  const a = root(doc, 'A');
  const b = children(a, 'B')[0]!;
  t.is(attr(b, 'type'), 'T');
  t.is(children(a, 'Contents').length, 1);
});

test('a truncated or non-XML body is an unavailable StorageError', (t) => {
  for (const body of [
    '<A><B>1</B>',
    '',
    '<html><body>502<br></body></html>',
    '{"error":{}}',
    '<A><B>1</B></A>trailing',
  ]) {
    const e = t.throws(() => parseXml(body));
    t.true(isStorageError(e, 'unavailable'), body);
  }
});

test('root refuses a document of another kind', (t) => {
  const e = t.throws(() => root(parseXml('<Error><Code>X</Code></Error>'), 'ListBucketResult'));
  t.true(isStorageError(e, 'unavailable'));
});

test('escapeXml escapes markup and refuses characters XML cannot carry', (t) => {
  t.is(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
  t.true(
    isStorageError(
      t.throws(() => escapeXml('a\u0001b')),
      'invalid-argument',
    ),
  );
  const back = text(root(parseXml(`<A><K>${escapeXml(' x\r\ny\t')}</K></A>`), 'A'), 'K');
  t.is(back, ' x\r\ny\t');
});
