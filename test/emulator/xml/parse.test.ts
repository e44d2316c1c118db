import test from 'ava';
import { parseBody, text } from '../../../emulator/xml/parse.js';
import type { ApiError } from '../../../emulator/errors.js';

test('a body written by Go encoding/xml (quotes as &#34;) parses to the quoted value', (t) => {
  const doc = parseBody('<R><ETag>&#34;abc&#34;</ETag><K>a&amp;#34;b</K><C><![CDATA[&#34;]]></C></R>', 'R');
  t.is(text(doc, 'ETag'), '"abc"');
  t.is(text(doc, 'K'), 'a&#34;b');
  t.is(text(doc, 'C'), '&#34;');
});

test('HTML named entities are not XML: left as text', (t) => {
  t.is(text(parseBody('<R><K>a&nbsp;b</K></R>', 'R'), 'K'), 'a&nbsp;b');
});

test('one root only: a second top-level element or text around the root is MalformedXML', (t) => {
  for (const body of ['<R/><Other/>', '<R><K>v</K></R>junk', 'junk<R/>', '<R/><R/>']) {
    t.is(t.throws<ApiError>(() => parseBody(body, 'R')).code, 'MalformedXML', body);
  }
  t.deepEqual(parseBody('<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment --><R><K>v</K></R>\n', 'R'), {
    K: 'v',
  });
});
