import test from 'ava';
import fc from 'fast-check';
import { isStorageError } from '../../../storage/errors.js';
import { parseListBucketResult } from '../../../storage/xml/list-bucket-result.js';
import { escapeXml, xmlCanCarry } from '../../../storage/xml/parser.js';

// Spec §3.5 v1 example, verbatim.
const V1 = `<?xml version='1.0' encoding='UTF-8'?>
<ListBucketResult xmlns='http://doc.s3.amazonaws.com/2006-03-01'>
  <Name>my-bucket</Name>
  <Prefix>photos/</Prefix>
  <Marker></Marker>
  <NextMarker>photos/2024/</NextMarker>
  <Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>photos/</Key>
    <Generation>1703868492595821</Generation>
    <MetaGeneration>1</MetaGeneration>
    <LastModified>2023-12-29T16:48:12.634Z</LastModified>
    <ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag>
    <Size>0</Size>
  </Contents>
  <CommonPrefixes><Prefix>photos/2023/</Prefix></CommonPrefixes>
  <CommonPrefixes><Prefix>photos/2024/</Prefix></CommonPrefixes>
</ListBucketResult>`;

// Spec §3.5 v2 example (the elided tail closed).
const V2 =
  "<?xml version='1.0' encoding='UTF-8'?><ListBucketResult xmlns='http://doc.s3.amazonaws.com/2006-03-01'><Name>b</Name><Prefix>log/</Prefix><KeyCount>2</KeyCount><NextContinuationToken>CgVsb2cvMg==</NextContinuationToken><IsTruncated>true</IsTruncated><Contents><Key>log/1</Key><Generation>1784000000000001</Generation><MetaGeneration>1</MetaGeneration><LastModified>2026-06-01T10:00:00.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>2</Size></Contents></ListBucketResult>";

test('spec v1 example: objects, prefixes and NextMarker', (t) => {
  const r = parseListBucketResult(V1);
  t.true(r.isTruncated);
  t.is(r.nextMarker, 'photos/2024/');
  t.is(r.nextContinuationToken, undefined);
  t.deepEqual(r.page, {
    objects: [
      {
        name: 'photos/',
        size: 0,
        generation: '1703868492595821',
        metageneration: '1',
        updated: new Date('2023-12-29T16:48:12.634Z'),
        etag: '"d41d8cd98f00b204e9800998ecf8427e"',
      },
    ],
    prefixes: ['photos/2023/', 'photos/2024/'],
    nextPageToken: 'photos/2024/',
  });
});

test('spec v2 example: continuation token, quoted ETag via &quot;', (t) => {
  const r = parseListBucketResult(V2);
  t.is(r.nextContinuationToken, 'CgVsb2cvMg==');
  t.is(r.page.nextPageToken, 'CgVsb2cvMg==');
  t.is(r.nextMarker, 'log/1');
  t.is(r.page.objects[0]?.etag, '"d41d8cd98f00b204e9800998ecf8427e"');
  t.is(r.page.objects[0]?.size, 2);
});

const contents = (key: string, gen = '1700000000000001'): string =>
  `<Contents><Size>3</Size><Key>${key}</Key><ETag>"e"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified><Generation>${gen}</Generation></Contents>`;

test('last page: no token, element order does not matter, optional elements may be absent', (t) => {
  const r = parseListBucketResult(
    `<ListBucketResult><CommonPrefixes><Prefix>z/</Prefix></CommonPrefixes>${contents('a')}<IsTruncated>false</IsTruncated></ListBucketResult>`,
  );
  t.false(r.isTruncated);
  t.is(r.page.nextPageToken, undefined);
  t.deepEqual(r.page.prefixes, ['z/']);
  t.is(r.page.objects[0]?.name, 'a');
  t.is(r.page.objects[0]?.metageneration, '1');
});

test('missing NextMarker falls back to the greatest key or prefix in byte order', (t) => {
  const r = parseListBucketResult(
    `<ListBucketResult><IsTruncated>true</IsTruncated>${contents('b')}${contents('d')}<CommonPrefixes><Prefix>c/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>e/</Prefix></CommonPrefixes></ListBucketResult>`,
  );
  t.is(r.nextMarker, 'e/');
  // U+FF5E sorts before U+1F600 in UTF-8 bytes but after it in UTF-16 units.
  const u = parseListBucketResult(
    `<ListBucketResult><IsTruncated>true</IsTruncated>${contents('\u{1F600}')}<CommonPrefixes><Prefix>\uFF5E/</Prefix></CommonPrefixes></ListBucketResult>`,
  );
  t.is(u.nextMarker, '\u{1F600}');
});

test('a truncated page with nothing to resume from is refused', (t) => {
  const e = t.throws(() =>
    parseListBucketResult('<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>'),
  );
  t.true(isStorageError(e, 'unavailable'));
});

test('names keep spaces and markup characters', (t) => {
  const r = parseListBucketResult(`<ListBucketResult>${contents(escapeXml(' a&b <c> '))}</ListBucketResult>`);
  t.is(r.page.objects[0]?.name, ' a&b <c> ');
});

test('encoding-type=url: keys, prefixes and NextMarker are decoded when the response says so', (t) => {
  const r = parseListBucketResult(
    `<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextMarker>n%0A</NextMarker>${contents('a%20b+c%2Bd%E2%82%AC')}<CommonPrefixes><Prefix>p%0D/</Prefix></CommonPrefixes></ListBucketResult>`,
  );
  t.is(r.page.objects[0]?.name, 'a b c+d€');
  t.deepEqual(r.page.prefixes, ['p\r/']);
  t.is(r.nextMarker, 'n\n');
});

test('encoding-type=url requested but not echoed still decodes; not requested leaves % alone', (t) => {
  const body = `<ListBucketResult>${contents('100%25')}</ListBucketResult>`;
  t.is(parseListBucketResult(body, { encodingType: 'url' }).page.objects[0]?.name, '100%');
  t.is(parseListBucketResult(body).page.objects[0]?.name, '100%25');
});

test('bad values are refused rather than guessed', (t) => {
  for (const bad of [
    contents('a', '12x'),
    contents('a').replace('<Size>3</Size>', '<Size>-1</Size>'),
    contents('a').replace('2024-01-01T00:00:00.000Z', 'yesterday'),
    contents('a').replace('<Key>a</Key>', ''),
  ]) {
    t.true(
      isStorageError(
        t.throws(() => parseListBucketResult(`<ListBucketResult>${bad}</ListBucketResult>`)),
        'unavailable',
      ),
    );
  }
});

test('property: any name survives url encoding and XML escaping', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'grapheme', minLength: 1 }), { minLength: 1, maxLength: 5 }),
      (names) => {
        const body = `<ListBucketResult><EncodingType>url</EncodingType>${names.map((n) => contents(escapeXml(encodeURIComponent(n)))).join('')}</ListBucketResult>`;
        const parsed = parseListBucketResult(body).page.objects.map((o) => o.name);
        return JSON.stringify(parsed) === JSON.stringify(names);
      },
    ),
  );
  t.pass();
});

test('property: any XML-legal name survives escaping without url encoding', (t) => {
  const legal = fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => xmlCanCarry(s));
  fc.assert(
    fc.property(legal, (name) => {
      const body = `<ListBucketResult>${contents(escapeXml(name))}</ListBucketResult>`;
      return parseListBucketResult(body).page.objects[0]?.name === name;
    }),
  );
  t.pass();
});

test('whitespace-only names, CDATA and number-like names stay exact strings', (t) => {
  const r = parseListBucketResult(
    `<ListBucketResult>${contents(' ')}${contents('\t\n ')}${contents('<![CDATA[a<b]]>')}${contents('true')}${contents('1e3')}<CommonPrefixes><Prefix> </Prefix></CommonPrefixes></ListBucketResult>`,
  );
  t.deepEqual(
    r.page.objects.map((o) => o.name),
    [' ', '\t\n ', 'a<b', 'true', '1e3'],
  );
  t.deepEqual(r.page.prefixes, [' ']);
});
