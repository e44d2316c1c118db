import test from 'ava';
import { isStorageError } from '../../../storage/errors.js';
import { buildComposeRequest } from '../../../storage/xml/compose-request.js';
import { buildCreateBucketConfiguration } from '../../../storage/xml/create-bucket-configuration.js';
import { parseCopyObjectResult } from '../../../storage/xml/copy-object-result.js';
import {
  buildCompleteMultipartUpload,
  parseCompleteMultipartUploadResult,
  parseInitiateMultipartUploadResult,
  parseListPartsResult,
} from '../../../storage/xml/multipart.js';
import { child, children, parseXml, root, text } from '../../../storage/xml/parser.js';

test('compose request: spec §4.8 shape, names escaped, generation and precondition optional', (t) => {
  const xml = buildComposeRequest([
    { name: 'parts/0001' },
    { name: 'parts/0002', generation: '1704456000123456' },
    { name: 'parts/<&0003> ', ifGenerationMatch: '1704456000999999' },
  ]);
  t.is(
    xml,
    "<?xml version='1.0' encoding='UTF-8'?><ComposeRequest>" +
      '<Component><Name>parts/0001</Name></Component>' +
      '<Component><Name>parts/0002</Name><Generation>1704456000123456</Generation></Component>' +
      '<Component><Name>parts/&lt;&amp;0003&gt; </Name><IfGenerationMatch>1704456000999999</IfGenerationMatch></Component>' +
      '</ComposeRequest>',
  );
  const components = children(root(parseXml(xml), 'ComposeRequest'), 'Component');
  t.is(text(components[2]!, 'Name'), 'parts/<&0003> ');
});

test('compose request takes 1..32 components', (t) => {
  t.true(
    isStorageError(
      t.throws(() => buildComposeRequest([])),
      'invalid-argument',
    ),
  );
  const many = Array.from({ length: 33 }, (_, i) => ({ name: `p${i}` }));
  t.true(
    isStorageError(
      t.throws(() => buildComposeRequest(many)),
      'invalid-argument',
    ),
  );
  t.notThrows(() => buildComposeRequest(many.slice(0, 32)));
});

test('copy result: spec §4.7 example', (t) => {
  const r = parseCopyObjectResult(
    `<?xml version='1.0' encoding='UTF-8'?>
<CopyObjectResult><LastModified>2024-01-05T12:00:00.123Z</LastModified><ETag>"5eb63bbbe01eeed093cb22bb8f5acdc3"</ETag></CopyObjectResult>`,
  );
  t.deepEqual(r, {
    lastModified: new Date('2024-01-05T12:00:00.123Z'),
    etag: '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
  });
});

test('multipart initiate result: spec §6.2 example', (t) => {
  const r = parseInitiateMultipartUploadResult(`<?xml version='1.0' encoding='UTF-8'?>
<InitiateMultipartUploadResult xmlns='http://s3.amazonaws.com/doc/2006-03-01/'>
  <Bucket>my-bucket</Bucket><Key>big.bin</Key><UploadId>ABPnzm6…</UploadId>
</InitiateMultipartUploadResult>`);
  t.deepEqual(r, { bucket: 'my-bucket', key: 'big.bin', uploadId: 'ABPnzm6…' });
});

test('complete multipart upload document: spec §6.2 shape, ascending parts only', (t) => {
  const xml = buildCompleteMultipartUpload([
    { partNumber: 1, etag: '"7417ca8d45a71b692168f0419c17fe2f"' },
    { partNumber: 2, etag: '"b54357faf0632cce46e942fa68356b38"' },
  ]);
  t.is(
    xml,
    "<?xml version='1.0' encoding='UTF-8'?><CompleteMultipartUpload>" +
      '<Part><PartNumber>1</PartNumber><ETag>&quot;7417ca8d45a71b692168f0419c17fe2f&quot;</ETag></Part>' +
      '<Part><PartNumber>2</PartNumber><ETag>&quot;b54357faf0632cce46e942fa68356b38&quot;</ETag></Part>' +
      '</CompleteMultipartUpload>',
  );
  const parts = children(root(parseXml(xml), 'CompleteMultipartUpload'), 'Part');
  t.is(text(parts[0]!, 'ETag'), '"7417ca8d45a71b692168f0419c17fe2f"');
  for (const bad of [
    [],
    [
      { partNumber: 2, etag: 'a' },
      { partNumber: 1, etag: 'b' },
    ],
    [{ partNumber: 0, etag: 'a' }],
    [{ partNumber: 10_001, etag: 'a' }],
  ]) {
    t.true(
      isStorageError(
        t.throws(() => buildCompleteMultipartUpload(bad)),
        'invalid-argument',
      ),
    );
  }
});

test('complete multipart upload result, and an <Error> body in a 200', (t) => {
  const r = parseCompleteMultipartUploadResult(`<?xml version='1.0' encoding='UTF-8'?>
<CompleteMultipartUploadResult xmlns='http://s3.amazonaws.com/doc/2006-03-01/'>
  <Location>http://my-bucket.storage.googleapis.com/big.bin</Location>
  <Bucket>my-bucket</Bucket><Key>big.bin</Key><ETag>"…-2"</ETag>
</CompleteMultipartUploadResult>`);
  t.deepEqual(r, {
    location: 'http://my-bucket.storage.googleapis.com/big.bin',
    bucket: 'my-bucket',
    key: 'big.bin',
    etag: '"…-2"',
  });
  const e = t.throws(() =>
    parseCompleteMultipartUploadResult(
      '<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>',
    ),
  );
  t.true(isStorageError(e, 'unavailable'));
  t.is((e as { serviceCode?: string }).serviceCode, 'InternalError');
});

test('list parts result: spec §6.2 example', (t) => {
  const r = parseListPartsResult(`<?xml version='1.0' encoding='UTF-8'?>
<ListPartsResult xmlns='http://s3.amazonaws.com/doc/2006-03-01/'>
  <Bucket>my-bucket</Bucket><Key>big.bin</Key><UploadId>ABPnzm6…</UploadId>
  <StorageClass>STANDARD</StorageClass>
  <PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker>
  <MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>
  <Part><PartNumber>1</PartNumber><LastModified>2024-01-05T12:00:00.000Z</LastModified><ETag>"7417…"</ETag><Size>5242880</Size></Part>
  <Part><PartNumber>2</PartNumber><LastModified>2024-01-05T12:00:01.000Z</LastModified><ETag>"b543…"</ETag><Size>1024</Size></Part>
</ListPartsResult>`);
  t.deepEqual(r, {
    bucket: 'my-bucket',
    key: 'big.bin',
    uploadId: 'ABPnzm6…',
    isTruncated: false,
    nextPartNumberMarker: 2,
    parts: [
      { partNumber: 1, etag: '"7417…"', size: 5242880, lastModified: new Date('2024-01-05T12:00:00.000Z') },
      { partNumber: 2, etag: '"b543…"', size: 1024, lastModified: new Date('2024-01-05T12:00:01.000Z') },
    ],
  });
  // A single part still reads as a list.
  const one = parseListPartsResult(
    '<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId><Part><PartNumber>1</PartNumber><ETag>"e"</ETag><Size>1</Size></Part></ListPartsResult>',
  );
  t.is(one.parts.length, 1);
  t.is(child(root(parseXml('<A><Part/></A>'), 'A'), 'Part') !== undefined, true);
});

test('create bucket configuration: boto form, or no body when nothing is configured', (t) => {
  t.is(buildCreateBucketConfiguration({}), undefined);
  t.is(
    buildCreateBucketConfiguration({ location: 'US', storageClass: 'STANDARD' }),
    '<CreateBucketConfiguration><LocationConstraint>US</LocationConstraint><StorageClass>STANDARD</StorageClass></CreateBucketConfiguration>',
  );
  t.is(
    buildCreateBucketConfiguration({ location: 'EU' }),
    '<CreateBucketConfiguration><LocationConstraint>EU</LocationConstraint></CreateBucketConfiguration>',
  );
});
