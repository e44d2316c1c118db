import test from 'ava';
import { WRITABLE_FIELDS } from '../../storage/types.js';
import { pickWritable, writableOf } from '../../storage/writable-metadata.js';
import { objectMeta } from '../helpers/object-meta.js';

const every = Object.fromEntries(WRITABLE_FIELDS.map((f) => [f, `${f}-value`]));

test('writableOf keeps every writable field and a copy of the custom metadata, nothing else', (t) => {
  const meta = objectMeta('bkt', 'o', { ...every, md5: 'bWQ1', componentCount: 2, metadata: { k: 'v' } });
  const w = writableOf(meta);
  t.deepEqual(w, { ...every, metadata: { k: 'v' } });
  w.metadata.k = 'changed';
  t.is(meta.metadata.k, 'v', 'the custom metadata is a copy');
});

test('writableOf leaves out the fields the object does not have', (t) => {
  t.deepEqual(writableOf(objectMeta('bkt', 'o')), { contentType: 'application/octet-stream', metadata: {} });
});

test('pickWritable drops what is not metadata (preconditions, a signal) and unset fields', (t) => {
  const options = { contentType: 'text/plain', ifGenerationMatch: '0', signal: new AbortController().signal };
  t.deepEqual(pickWritable(options), { contentType: 'text/plain' });
  t.deepEqual(pickWritable({ ...every, metadata: { a: 'b' } }), { ...every, metadata: { a: 'b' } });
});
