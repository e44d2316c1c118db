import test from 'ava';
import { decodeCharRefs } from '../../../emulator/xml/char-refs.js';
import { parseBody, text } from '../../../emulator/xml/parse.js';

test('numeric references become their characters; markup characters stay escaped', (t) => {
  t.is(decodeCharRefs('<E>&#65;b&#x43;</E>'), '<E>AbC</E>');
  t.is(decodeCharRefs('<E>&#34;ab&#x27;</E>'), '<E>&quot;ab&apos;</E>');
  t.is(decodeCharRefs('<E>&#60;&#x26;&#62;</E>'), '<E>&lt;&amp;&gt;</E>');
  t.is(decodeCharRefs('<E>&#x1F600;</E>'), '<E>\u{1F600}</E>');
});

test('CDATA, escaped references and impossible characters are left as they are', (t) => {
  t.is(decodeCharRefs('<E><![CDATA[&#34;]]>&#34;</E>'), '<E><![CDATA[&#34;]]>&quot;</E>');
  t.is(decodeCharRefs('<E>&amp;#34;</E>'), '<E>&amp;#34;</E>');
  t.is(decodeCharRefs('<E>&#0;&#xD800;&#x110000;</E>'), '<E>&#0;&#xD800;&#x110000;</E>');
});

test('a body written by Go encoding/xml parses to the quoted value', (t) => {
  const doc = parseBody('<R><ETag>&#34;abc&#34;</ETag><K>a&amp;#34;b</K></R>', 'R');
  t.is(text(doc, 'ETag'), '"abc"');
  t.is(text(doc, 'K'), 'a&#34;b');
});
