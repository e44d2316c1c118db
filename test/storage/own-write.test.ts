import test from 'ava';
import { hashBuffer } from '../../storage/checksums.js';
import { isOwnWrite } from '../../storage/own-write.js';
import type { ObjectMeta } from '../../storage/types.js';

const bytes = Buffer.from('the bytes we sent');
const stored = hashBuffer(bytes); // the store reports both
const live = (over: Partial<ObjectMeta> = {}): ObjectMeta =>
  ({ ...stored, generation: '7', metadata: { mtime: '1' }, ...over }) as unknown as ObjectMeta;

test('uploads hash CRC32C only: a live object with the same crc32c (and an MD5 we did not compute) is ours', (t) => {
  const sent = hashBuffer(bytes, { md5: false });
  t.is(sent.md5, undefined);
  t.true(isOwnWrite(live(), sent, { ifGenerationMatch: '6', metadata: { mtime: '1' } }));
});

test('a different crc32c, a different MD5 when both sides have one, or no crc32c at all is not ours', (t) => {
  const sent = hashBuffer(bytes, { md5: false });
  t.false(isOwnWrite(live(), hashBuffer(Buffer.from('other bytes'), { md5: false }), {}));
  t.false(isOwnWrite(live(), { ...stored, md5: hashBuffer(Buffer.from('x')).md5 ?? '' }, {}));
  t.false(isOwnWrite(live(), {}, {}));
  t.false(isOwnWrite(live(), sent, { ifGenerationMatch: '7' }), 'still the generation the precondition named');
  t.false(isOwnWrite(live(), sent, { metadata: { mtime: '2' } }), 'other metadata');
});
