import test from 'ava';
import { isStorageError } from '../../../storage/errors.js';
import { parseListAllMyBucketsResult } from '../../../storage/xml/list-all-my-buckets.js';

test('spec §3.1 example', (t) => {
  const body = `<?xml version='1.0' encoding='UTF-8'?>
<ListAllMyBucketsResult xmlns='http://doc.s3.amazonaws.com/2006-03-01'>
  <Owner><ID>00b4903a97160e20eb0c026e252d8f0830b8fa82d7b34a9b0d41f386096aac0b</ID><DisplayName></DisplayName></Owner>
  <Buckets>
    <Bucket><Name>bucket-b</Name><CreationDate>2010-09-15T06:34:43.869Z</CreationDate></Bucket>
    <Bucket><Name>bucket-a</Name><CreationDate>2010-09-15T06:36:36.428Z</CreationDate></Bucket>
  </Buckets>
</ListAllMyBucketsResult>`;
  t.deepEqual(parseListAllMyBucketsResult(body), [
    { name: 'bucket-a', created: new Date('2010-09-15T06:36:36.428Z') },
    { name: 'bucket-b', created: new Date('2010-09-15T06:34:43.869Z') },
  ]);
});

test('no buckets: empty or missing <Buckets>', (t) => {
  t.deepEqual(parseListAllMyBucketsResult('<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>'), []);
  t.deepEqual(parseListAllMyBucketsResult('<ListAllMyBucketsResult></ListAllMyBucketsResult>'), []);
});

test('a bucket without a name is refused', (t) => {
  const e = t.throws(() =>
    parseListAllMyBucketsResult(
      '<ListAllMyBucketsResult><Buckets><Bucket><CreationDate>2010-09-15T06:34:43.869Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>',
    ),
  );
  t.true(isStorageError(e, 'unavailable'));
});
