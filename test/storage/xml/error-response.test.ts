import test from 'ava';
import type { StorageErrorCode } from '../../../storage/errors.js';
import { storageErrorFromResponse } from '../../../storage/xml/error-response.js';

const body = (code: string, message = 'm', details?: string): string =>
  `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message>${details === undefined ? '' : `<Details>${details}</Details>`}</Error>`;

const table: [number, string | undefined, StorageErrorCode][] = [
  [404, 'NoSuchKey', 'not-found'],
  [404, 'NoSuchUpload', 'not-found'],
  [404, 'NoSuchBucket', 'bucket-not-found'],
  [412, 'PreconditionFailed', 'precondition-failed'],
  [412, undefined, 'precondition-failed'],
  [409, 'BucketNotEmpty', 'bucket-not-empty'],
  [409, 'BucketAlreadyOwnedByYou', 'already-exists'],
  [409, 'BucketNameUnavailable', 'already-exists'],
  [409, 'OperationAborted', 'conflict'],
  [416, 'InvalidRange', 'range-not-satisfiable'],
  [401, 'AuthenticationRequired', 'unauthenticated'],
  [403, 'AccessDenied', 'forbidden'],
  [403, 'SignatureDoesNotMatch', 'credentials'],
  [403, 'InvalidAccessKeyId', 'credentials'],
  [403, 'InvalidSecurity', 'credentials'],
  [403, 'RequestTimeTooSkewed', 'credentials'],
  [429, undefined, 'rate-limited'],
  [429, 'SlowDown', 'rate-limited'],
  [503, 'SlowDown', 'unavailable'],
  [500, 'InternalError', 'unavailable'],
  [502, undefined, 'unavailable'],
  [503, 'ServiceUnavailable', 'unavailable'],
  [400, 'InvalidBucketName', 'invalid-name'],
  [400, 'KeyTooLong', 'invalid-name'],
  [400, 'BadDigest', 'integrity'],
  [400, 'CrcMismatch', 'integrity'],
  [400, 'InvalidDigest', 'integrity'],
  [400, 'IncompleteBody', 'integrity'],
  [400, 'EntityTooLarge', 'too-large'],
  [400, 'MetadataTooLarge', 'too-large'],
  [400, 'InvalidArgument', 'invalid-argument'],
  [400, 'MalformedXML', 'invalid-argument'],
  [408, undefined, 'timeout'],
  [501, 'NotImplemented', 'not-implemented'],
  [304, undefined, 'not-modified'],
];

for (const [status, code, expected] of table) {
  test(`${status} ${code ?? '(no body)'} -> ${expected}`, (t) => {
    const e = storageErrorFromResponse(status, code === undefined ? undefined : body(code));
    t.is(e.code, expected);
    t.is(e.status, status);
    t.is(e.serviceCode, code);
  });
}

test('a bodiless 404 maps by what was asked for', (t) => {
  t.is(storageErrorFromResponse(404, undefined).code, 'not-found');
  t.is(storageErrorFromResponse(404, '', undefined, { resource: 'bucket' }).code, 'bucket-not-found');
});

test('code, message and details are carried; message text never decides the code', (t) => {
  const e = storageErrorFromResponse(
    404,
    body('NoSuchKey', 'The specified bucket does not exist.', 'No such object: b/o'),
    undefined,
    {
      bucket: 'b',
      object: 'o',
    },
  );
  t.is(e.code, 'not-found');
  t.is(e.message, 'NoSuchKey: The specified bucket does not exist.: No such object: b/o');
  t.is(e.bucket, 'b');
  t.is(e.object, 'o');
});

test('HTML, JSON and empty bodies on 5xx are tolerated', (t) => {
  for (const b of [
    '<html><body><h1>502 Bad Gateway</h1></body></html>',
    '{"error":{"code":503}}',
    '',
    '<Error><Code>',
  ]) {
    const e = storageErrorFromResponse(502, b);
    t.is(e.code, 'unavailable');
    t.is(e.serviceCode, undefined);
    t.is(e.message, 'HTTP 502');
  }
});

test('request id and Retry-After come from headers of either shape', (t) => {
  const plain = storageErrorFromResponse(429, undefined, {
    'X-GUploader-UploadID': 'abc',
    'retry-after': '3',
  });
  t.is(plain.requestId, 'abc');
  t.is(plain.retryAfterMs, 3000);
  const fetchLike = storageErrorFromResponse(
    503,
    undefined,
    new Headers({ 'x-guploader-uploadid': 'def', 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }),
    { now: Date.parse('Thu, 01 Jan 2026 00:00:00 GMT') },
  );
  t.is(fetchLike.requestId, 'def');
  t.is(fetchLike.retryAfterMs, 10_000);
});
