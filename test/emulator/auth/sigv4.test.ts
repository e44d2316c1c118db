import test from 'ava';
import {
  buildCanonicalRequest,
  buildStringToSign,
  parseV4Header,
  v4Signature,
} from '../../../emulator/auth/sigv4.js';
import type { V4Params } from '../../../emulator/auth/sigv4.js';
import { ACCESS_ID, SECRET } from './test-signer.js';

// Spec §2.4 test vectors, both dialects.
const VECTORS = [
  {
    flavor: 'GOOG4',
    prefix: 'x-goog-',
    scope: '20240105/auto/storage/goog4_request',
    hash: '805e741e59c76fd3d03e9d50c9ffe8d03f63154d431437b5916d1322ba34482d',
    signature: '4a8cf593a8dee521a4f2d4c52b01422f624df4e42362abf155a952ed2864f872',
  },
  {
    flavor: 'AWS4',
    prefix: 'x-amz-',
    scope: '20240105/us-east-1/s3/aws4_request',
    hash: 'b923e45c927438f977ae76ca7d9656f93092648386e142fc673371c18fc2e02c',
    signature: '72c892c8785f359be6d4c12955751ad42dd3a7047292e6332eeed5b9d4606639',
  },
] as const;

for (const v of VECTORS) {
  test(`§2.4 test vector, ${v.flavor} dialect: canonical request, string to sign, signature`, (t) => {
    const headers = {
      host: 'storage.googleapis.com',
      [`${v.prefix}date`]: '20240105T120000Z',
      [`${v.prefix}content-sha256`]: 'UNSIGNED-PAYLOAD',
    };
    const authorization =
      `${v.flavor}-HMAC-SHA256 Credential=${ACCESS_ID}/${v.scope}, ` +
      `SignedHeaders=host;${v.prefix}content-sha256;${v.prefix}date, Signature=${v.signature}`;
    const params = parseV4Header(authorization, headers);
    if (typeof params === 'string') return t.fail(params);
    const view = { method: 'GET', rawPath: '/example-bucket/dir/a%20b.txt', rawQuery: '', headers };
    const canonical = buildCanonicalRequest(view, params, view.rawPath, false);
    t.is(
      canonical,
      [
        'GET',
        '/example-bucket/dir/a%20b.txt',
        '',
        'host:storage.googleapis.com',
        `${v.prefix}content-sha256:UNSIGNED-PAYLOAD`,
        `${v.prefix}date:20240105T120000Z`,
        '',
        `host;${v.prefix}content-sha256;${v.prefix}date`,
        'UNSIGNED-PAYLOAD',
      ].join('\n'),
    );
    const sts = buildStringToSign(params, canonical);
    t.is(sts, `${v.flavor}-HMAC-SHA256\n20240105T120000Z\n${v.scope}\n${v.hash}`);
    t.is(v4Signature(SECRET, params, sts), v.signature);
  });
}

test('parseV4Header reads credential scope pieces verbatim, including an empty region', (t) => {
  const p = parseV4Header(
    'GOOG4-HMAC-SHA256 Credential=ID/20240105//storage/goog4_request,SignedHeaders=host,Signature=AB',
    { 'x-goog-date': '20240105T120000Z' },
  ) as V4Params;
  t.is(p.accessId, 'ID');
  t.is(p.region, '');
  t.deepEqual(p.signedHeaders, ['host']);
  t.is(p.signature, 'ab');
  t.is(p.requestTime, '20240105T120000Z');
});

test('parseV4Header explains malformed headers', (t) => {
  t.is(typeof parseV4Header('GOOG4-HMAC-SHA256 Credential=ID', {}), 'string');
  t.is(typeof parseV4Header('GOOG4-HMAC-SHA256', {}), 'string');
  t.is(
    typeof parseV4Header(
      'GOOG4-HMAC-SHA256 Credential=ID/x/auto/storage/goog4_request, SignedHeaders=host, Signature=a',
      {},
    ),
    'string',
  );
});
