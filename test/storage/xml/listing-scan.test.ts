import test from 'ava';
import fc from 'fast-check';
import { isStorageError } from '../../../storage/errors.js';
import {
  listingFromDocument,
  listingFromScan,
  parseListBucketResult,
} from '../../../storage/xml/list-bucket-result.js';
import { scanListing } from '../../../storage/xml/listing-scan.js';
import { escapeXml, parseXml, xmlCanCarry } from '../../../storage/xml/parser.js';

const NS = " xmlns='http://doc.s3.amazonaws.com/2006-03-01'";
const DECL = "<?xml version='1.0' encoding='UTF-8'?>";
const contents = (key: string, extra = ''): string =>
  `<Contents><Key>${key}</Key><Generation>1784000000000001</Generation><MetaGeneration>7</MetaGeneration><LastModified>2026-06-01T10:00:00.000Z</LastModified><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>12</Size>${extra}</Contents>`;
const doc = (body: string): string => `${DECL}<ListBucketResult${NS}>${body}</ListBucketResult>`;

/** The same text read directly and through the validating parser's tree: the same listing. */
function same(t: import('ava').ExecutionContext, body: string, options: { encodingType?: 'url' } = {}): void {
  const scanned = scanListing(body);
  t.not(scanned, undefined, 'the direct scanner takes this document');
  const direct = listingFromScan(scanned!, options);
  t.not(direct, undefined, 'and reads every entry');
  t.deepEqual(direct, listingFromDocument(parseXml(body), options));
}

const EMULATOR_V1 = doc(
  `<Name>bench</Name><Prefix>ls/</Prefix><Marker/><NextMarker>ls/b</NextMarker><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>${contents('ls/a')}${contents('ls/b')}<CommonPrefixes><Prefix>ls/d/</Prefix></CommonPrefixes>`,
);
const EMULATOR_V2 = doc(
  `<Name>b</Name><Prefix/><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><NextContinuationToken>eyJuIjoiYSJ9</NextContinuationToken><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>${contents('a%20%26b', '<Owner><ID>x</ID><DisplayName/></Owner>')}<CommonPrefixes><Prefix>d%2B/</Prefix></CommonPrefixes>`,
);
const PRETTY = `${DECL}
<ListBucketResult${NS}>
  <Name>my-bucket</Name>
  <Prefix>photos/</Prefix>
  <Marker></Marker>
  <IsTruncated>false</IsTruncated>
  <Contents>
    <Key>photos/&amp;&lt;x&gt;&quot;&apos;&#233;&#x1F600;</Key>
    <Generation>1703868492595821</Generation>
    <LastModified>2023-12-29T16:48:12.634Z</LastModified>
    <ETag>&quot;e&quot;</ETag>
    <Size>0</Size>
  </Contents>
  <CommonPrefixes><Prefix> spaced / </Prefix></CommonPrefixes>
  <CommonPrefixes><Prefix>photos/2024/</Prefix></CommonPrefixes>
</ListBucketResult>
`;

test('the direct scanner reads what the emulator and the service send exactly as the tree does', (t) => {
  same(t, EMULATOR_V1);
  same(t, EMULATOR_V2, { encodingType: 'url' });
  same(t, PRETTY);
  same(t, doc('<IsTruncated>false</IsTruncated>'));
  same(t, '<ListBucketResult><Name>b</Name></ListBucketResult>');
  const v2 = parseListBucketResult(EMULATOR_V2, { encodingType: 'url' });
  t.is(v2.page.objects[0]?.name, 'a &b');
  t.deepEqual(v2.page.prefixes, ['d+/']);
  t.is(v2.page.nextPageToken, 'eyJuIjoiYSJ9');
  t.is(parseListBucketResult(PRETTY).page.objects[0]?.name, `photos/&<x>"'\u00e9\u{1F600}`);
});

test('any names, prefixes and truncation: the direct scanner and the tree agree', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { maxLength: 3 }),
      fc.boolean(),
      fc.boolean(),
      (keys, prefixes, truncated, url) => {
        const ok = (s: string): boolean => xmlCanCarry(s) && !s.includes('\r');
        if (![...keys, ...prefixes].every(ok)) return;
        const name = (s: string): string => escapeXml(url ? encodeURIComponent(s) : s);
        const body = doc(
          `<IsTruncated>${truncated}</IsTruncated>${keys.map((k) => contents(name(k))).join('')}${prefixes
            .map((p) => `<CommonPrefixes><Prefix>${name(`${p}/`)}</Prefix></CommonPrefixes>`)
            .join('')}`,
        );
        same(t, body, url ? { encodingType: 'url' } : {});
      },
    ),
  );
});

test('anything outside its shape goes to the tree path, which reads it or says what is wrong', (t) => {
  for (const body of [
    doc(`<!-- c -->${contents('a')}`),
    doc(`<Contents><Key><![CDATA[a]]></Key></Contents>`),
    doc(`<s3:Name>b</s3:Name>`),
    doc(`<Name a='1'>b</Name>`),
    doc(`<Name>b</Name><Name>c</Name>`),
    doc(`<Name>b\r\n</Name>`),
    doc(`<Name>a<b>c</b></Name>`),
    doc(`<Name>&nbsp;</Name>`),
    doc(`<Name>a</Name>`) + '<Extra/>',
    doc(`<Contents><Key>a</Key><Key>b</Key></Contents>`),
    doc(`<Contents><Owner><Deeper><X>1</X></Deeper></Owner></Contents>`),
    doc(`<CommonPrefixes><Prefix>a/</Prefix><Prefix>b/</Prefix></CommonPrefixes>`),
    doc(`<Other><Child>1</Child></Other>`),
    '<Other/>',
  ])
    t.is(scanListing(body), undefined, body);
  // ... which reads what it can: a comment does not lose the entry.
  t.is(parseListBucketResult(doc(`<!-- c -->${contents('a')}`)).page.objects[0]?.name, 'a');
  // An entry without a required value is scanned but not read directly: the tree path names what is missing.
  const missing = doc('<Contents><Key>a</Key></Contents>');
  t.not(scanListing(missing), undefined);
  t.is(listingFromScan(scanListing(missing)!), undefined);
  t.throws(() => parseListBucketResult(missing), { message: /Size|Generation|LastModified/ });
});

test('a truncated or malformed body is never read as a shorter listing', (t) => {
  const whole = EMULATOR_V1;
  for (const body of [
    whole.slice(0, whole.indexOf('</Contents>') + 11),
    whole.slice(0, -1),
    whole.slice(0, whole.length - '</ListBucketResult>'.length),
    doc(`<Contents><Key>a</Key></Content>`),
    doc(`<Name>a & b</Name>`),
    '',
  ]) {
    t.is(scanListing(body), undefined, body);
    t.true(
      isStorageError(
        t.throws(() => parseListBucketResult(body)),
        'unavailable',
      ),
      body,
    );
  }
});
