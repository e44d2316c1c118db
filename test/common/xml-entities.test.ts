import test from 'ava';
import { decodeEntities } from '../../common/xml-entities.js';

test('the five named entities and numeric references are decoded, once', (t) => {
  t.is(decodeEntities('&lt;&gt;&amp;&quot;&apos;'), `<>&"'`);
  t.is(decodeEntities('&#34;ab&#x22;&#x1F600;'), '"ab"\u{1F600}');
  t.is(decodeEntities('&amp;#34;'), '&#34;');
});

test('HTML names, unknown and out-of-range references stay as they are', (t) => {
  t.is(decodeEntities('&nbsp;&foo;&#x110000;'), '&nbsp;&foo;&#x110000;');
});
