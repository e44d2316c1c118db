import test from 'ava';
import { parseBody, text } from '../../../emulator/xml/parse.js';

test('a body written by Go encoding/xml (quotes as &#34;) parses to the quoted value', (t) => {
  const doc = parseBody('<R><ETag>&#34;abc&#34;</ETag><K>a&amp;#34;b</K><C><![CDATA[&#34;]]></C></R>', 'R');
  t.is(text(doc, 'ETag'), '"abc"');
  t.is(text(doc, 'K'), 'a&#34;b');
  t.is(text(doc, 'C'), '&#34;');
});

test('HTML named entities are not XML: left as text', (t) => {
  t.is(text(parseBody('<R><K>a&nbsp;b</K></R>', 'R'), 'K'), 'a&nbsp;b');
});
