import test from 'ava';
import { el, escapeXml } from '../../../emulator/xml/writer.js';

test('escapeXml: markup characters and XML-illegal controls are escaped, plain text and quotes pass as they are', (t) => {
  t.is(escapeXml('ls/f000001'), 'ls/f000001');
  t.is(escapeXml('"9dd4e461"'), '"9dd4e461"');
  t.is(escapeXml('a&b<c>d'), 'a&amp;b&lt;c&gt;d');
  t.is(escapeXml('x\u0001y\u001f\ufffe'), 'x&#1;y&#31;&#65534;');
  t.is(escapeXml('tab\tnewline\n'), 'tab\tnewline\n');
  t.is(escapeXml('&amp;'), '&amp;amp;');
  t.is(el('Key', 'a<b'), '<Key>a&lt;b</Key>');
  t.is(el('Marker', '', true), '<Marker/>');
  t.is(el('Size', 0), '<Size>0</Size>');
});
