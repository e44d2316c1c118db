import test from 'ava';
import fc from 'fast-check';
import { isStorageError } from '../../../storage/errors.js';
import { listingFromDocument, parseListBucketResult } from '../../../storage/xml/list-bucket-result.js';
import { escapeXml, parseXml, xmlCanCarry } from '../../../storage/xml/parser.js';
import { scanPlain } from '../../../storage/xml/plain-scan.js';

const NS = " xmlns='http://doc.s3.amazonaws.com/2006-03-01'";
const DECL = "<?xml version='1.0' encoding='UTF-8'?>";
const contents = (key: string, extra = ''): string =>
  `<Contents><Key>${key}</Key><Generation>1784000000000001</Generation><MetaGeneration>7</MetaGeneration><LastModified>2026-06-01T10:00:00.000Z</LastModified><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>12</Size>${extra}</Contents>`;
const doc = (body: string): string => `${DECL}<ListBucketResult${NS}>${body}</ListBucketResult>`;

/** The same document through the scanner and through the validating parser: the same listing. */
function same(t: import('ava').ExecutionContext, body: string, options: { encodingType?: 'url' } = {}): void {
  const scanned = scanPlain(body);
  t.not(scanned, undefined, 'the scanner takes this plain document');
  t.deepEqual(listingFromDocument(scanned!, options), listingFromDocument(parseXml(body), options));
}

// What the emulator and the service send (single line, self-closed empty elements, v1 and v2).
const EMULATOR_V1 = doc(
  `<Name>bench</Name><Prefix>ls/</Prefix><Marker/><NextMarker>ls/b</NextMarker><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>${contents('ls/a')}${contents('ls/b')}<CommonPrefixes><Prefix>ls/d/</Prefix></CommonPrefixes>`,
);
const EMULATOR_V2 = doc(
  `<Name>b</Name><Prefix/><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><NextContinuationToken>eyJuIjoiYSJ9</NextContinuationToken><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>${contents('a%20%26b', '<Owner><ID>x</ID><DisplayName/></Owner>')}<CommonPrefixes><Prefix>d%2B/</Prefix></CommonPrefixes>`,
);
// Pretty-printed, as in the spec's examples.
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

test('the scanner reads what the emulator and the service send exactly as the full parser does', (t) => {
  same(t, EMULATOR_V1);
  same(t, EMULATOR_V2, { encodingType: 'url' });
  same(t, PRETTY);
  same(t, doc('<IsTruncated>false</IsTruncated>'));
  same(t, '<ListBucketResult><Name>b</Name></ListBucketResult>');
  const r = parseListBucketResult(PRETTY);
  t.is(r.page.objects[0]?.name, `photos/&<x>"'\u00e9\u{1F600}`);
  t.is(r.page.objects[0]?.metageneration, '1');
  t.deepEqual(r.page.prefixes, [' spaced / ', 'photos/2024/']);
  const v1 = parseListBucketResult(EMULATOR_V1);
  t.is(v1.nextMarker, 'ls/b');
  t.is(v1.page.objects[1]?.generation, '1784000000000001');
  t.is(v1.page.objects[1]?.metageneration, '7');
  const v2 = parseListBucketResult(EMULATOR_V2, { encodingType: 'url' });
  t.is(v2.nextContinuationToken, 'eyJuIjoiYSJ9');
  t.is(v2.page.objects[0]?.name, 'a &b');
  t.deepEqual(v2.page.prefixes, ['d+/']);
});

test('any names: the scanner and the full parser agree', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { maxLength: 3 }),
      fc.boolean(),
      (keys, prefixes, truncated) => {
        const ok = (s: string): boolean => xmlCanCarry(s) && !s.includes('\r');
        if (![...keys, ...prefixes].every(ok)) return;
        const body = doc(
          `<IsTruncated>${truncated}</IsTruncated>${keys.map((k) => contents(escapeXml(k))).join('')}${prefixes
            .map((p) => `<CommonPrefixes><Prefix>${escapeXml(`${p}/`)}</Prefix></CommonPrefixes>`)
            .join('')}`,
        );
        same(t, body);
      },
    ),
  );
});

test('anything outside the plain subset goes to the full parser', (t) => {
  for (const body of [
    doc(`<!-- c -->${contents('a')}`),
    doc(`<Contents><Key><![CDATA[a]]></Key></Contents>`),
    `<!DOCTYPE x>${doc('')}`,
    doc(`<s3:Name>b</s3:Name>`),
    doc(`<Name a='1'>b</Name>`),
    doc(`<Name>b</Name><Name>c</Name>`),
    doc(`<Name>b\r\n</Name>`),
    doc(`<Name>a<b>c</b></Name>`),
    doc(`<Name>&nbsp;</Name>`),
    doc(`<Name>a</Name>`) + '<Extra/>',
  ])
    t.is(scanPlain(body), undefined, body);
  // ... which reads what it can: a comment does not lose the entry.
  t.is(parseListBucketResult(doc(`<!-- c -->${contents('a')}`)).page.objects[0]?.name, 'a');
});

test('a truncated or malformed body is refused (never read as a shorter listing)', (t) => {
  const whole = EMULATOR_V1;
  for (const body of [
    whole.slice(0, whole.indexOf('</Contents>') + 11),
    whole.slice(0, -1),
    whole.slice(0, whole.length - '</ListBucketResult>'.length),
    doc(`<Contents><Key>a</Key></Content>`),
    doc(`<Name>a & b</Name>`),
    '',
  ]) {
    t.is(scanPlain(body), undefined);
    t.true(
      isStorageError(
        t.throws(() => parseListBucketResult(body)),
        'unavailable',
      ),
      body,
    );
  }
});
