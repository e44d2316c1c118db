import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { crc32c } from '@node-rs/crc32';
import { bucket, emulator, errorCode } from '../helpers/emulator.js';

const KiB = 1024;

test('resumable upload: start 201 with Location, chunks get 308 + Range, the last gets 200 with the object', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const start = await emu.call(`/${b}/big.bin`, {
    method: 'POST',
    headers: {
      'x-goog-resumable': 'start',
      'content-type': 'application/x-test',
      'x-goog-meta-k': 'v',
      'x-goog-if-generation-match': '0',
    },
  });
  t.is(start.status, 201);
  const location = start.headers.get('location') ?? '';
  t.regex(location, /^http:\/\/127\.0\.0\.1:\d+\/test-bucket\/big\.bin\?upload_id=/);
  const data = randomBytes(600 * KiB);
  const chunk1 = await fetch(location, {
    method: 'PUT',
    body: data.subarray(0, 256 * KiB),
    headers: { 'content-range': `bytes 0-${256 * KiB - 1}/*` },
  });
  t.is(chunk1.status, 308);
  t.is(chunk1.headers.get('range'), `bytes=0-${256 * KiB - 1}`);
  // Not a multiple of 256 KiB and not final: only the aligned part is kept.
  const chunk2 = await fetch(location, {
    method: 'PUT',
    body: data.subarray(256 * KiB, 600 * KiB - 10),
    headers: { 'content-range': `bytes ${256 * KiB}-${600 * KiB - 11}/*` },
  });
  t.is(chunk2.status, 308);
  t.is(chunk2.headers.get('range'), `bytes=0-${512 * KiB - 1}`);
  const status = await fetch(location, {
    method: 'PUT',
    headers: { 'content-range': `bytes */${data.length}` },
  });
  t.is(status.status, 308);
  t.is(status.headers.get('range'), `bytes=0-${512 * KiB - 1}`);
  const last = await fetch(location, {
    method: 'PUT',
    body: data.subarray(512 * KiB),
    headers: { 'content-range': `bytes ${512 * KiB}-${data.length - 1}/${data.length}` },
  });
  t.is(last.status, 200);
  t.is(last.headers.get('etag'), `"${createHash('md5').update(data).digest('hex')}"`);
  const got = Buffer.from(await (await emu.call(`/${b}/big.bin`)).arrayBuffer());
  t.true(got.equals(data));
  const head = await emu.call(`/${b}/big.bin`, { method: 'HEAD' });
  t.is(head.headers.get('content-type'), 'application/x-test');
  t.is(head.headers.get('x-goog-meta-k'), 'v');
  // A status query after completion (the client lost the final answer) gets the object, as on GCS.
  const again = await fetch(location, {
    method: 'PUT',
    headers: { 'content-range': `bytes */${data.length}` },
  });
  t.is(again.status, 200);
  t.is(again.headers.get('x-goog-generation'), last.headers.get('x-goog-generation'));
});

test('resumable with the total unknown: bytes a-b/*, a status query bytes */*, then bytes */N finishes', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const start = await emu.call(`/${b}/stream.bin`, {
    method: 'POST',
    headers: { 'x-goog-resumable': 'start', 'x-goog-if-generation-match': '0' },
  });
  const location = start.headers.get('location') ?? '';
  const data = randomBytes(768 * KiB);
  const put = (first: number, last: number): Promise<Response> =>
    fetch(location, {
      method: 'PUT',
      body: data.subarray(first, last + 1),
      headers: { 'content-range': `bytes ${first}-${last}/*` },
    });
  const first = await put(0, 256 * KiB - 1);
  t.is(first.status, 308);
  t.is(first.headers.get('range'), `bytes=0-${256 * KiB - 1}`);
  // A resend that overlaps what is persisted (a client retrying): only the new bytes count, and hash.
  const overlap = await put(0, 512 * KiB - 1);
  t.is(overlap.status, 308);
  t.is(overlap.headers.get('range'), `bytes=0-${512 * KiB - 1}`);
  const unknown = await fetch(location, { method: 'PUT', headers: { 'content-range': 'bytes */*' } });
  t.is(unknown.status, 308);
  t.is(unknown.headers.get('range'), `bytes=0-${512 * KiB - 1}`);
  t.is((await put(512 * KiB, data.length - 1)).status, 308);
  t.is((await emu.call(`/${b}/stream.bin`, { method: 'HEAD' })).status, 404); // not an object yet
  // Every byte is there: a total alone finalizes the object, with the hashes of all of it.
  const done = await fetch(location, {
    method: 'PUT',
    headers: { 'content-range': `bytes */${data.length}` },
  });
  t.is(done.status, 200);
  t.is(done.headers.get('etag'), `"${createHash('md5').update(data).digest('hex')}"`);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32c(data) >>> 0);
  t.true((done.headers.get('x-goog-hash') ?? '').includes(`crc32c=${crc.toString('base64')}`));
  t.true(Buffer.from(await (await emu.call(`/${b}/stream.bin`)).arrayBuffer()).equals(data));
});

test('resumable: a zero-byte upload, a cancel (499), and a precondition that fails at the end', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const start = async (name: string, headers: Record<string, string> = {}): Promise<string> =>
    (
      await emu.call(`/${b}/${name}`, {
        method: 'POST',
        headers: { 'x-goog-resumable': 'start', ...headers },
      })
    ).headers.get('location') ?? '';
  const empty = await start('empty');
  t.is((await fetch(empty, { method: 'PUT', headers: { 'content-length': '0' } })).status, 200);
  t.is((await emu.call(`/${b}/empty`, { method: 'HEAD' })).headers.get('x-goog-stored-content-length'), '0');
  const cancelled = await start('gone');
  t.is((await fetch(cancelled, { method: 'DELETE' })).status, 499);
  t.is((await fetch(cancelled, { method: 'PUT', body: 'x' })).status, 404);
  const raced = await start('raced', { 'x-goog-if-generation-match': '0' });
  await emu.call(`/${b}/raced`, { method: 'PUT', body: 'someone else' });
  const res = await fetch(raced, {
    method: 'PUT',
    body: 'mine',
    headers: { 'content-range': 'bytes 0-3/4' },
  });
  t.is(res.status, 412);
  t.is(await (await emu.call(`/${b}/raced`)).text(), 'someone else');
});

test('multipart: initiate, parts (replaced on re-upload), list parts, complete; the object has no MD5', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const init = await emu.call(`/${b}/mp?uploads`, {
    method: 'POST',
    headers: { 'content-type': 'text/x-mp' },
  });
  const initXml = await init.text();
  t.regex(
    initXml,
    /<InitiateMultipartUploadResult xmlns='http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/'><Bucket>test-bucket<\/Bucket><Key>mp<\/Key><UploadId>/,
  );
  const id = /<UploadId>([^<]+)</.exec(initXml)?.[1] ?? '';
  const p1 = randomBytes(5 * 1024 * KiB);
  const p2 = Buffer.from('tail');
  await emu.call(`/${b}/mp?partNumber=1&uploadId=${id}`, { method: 'PUT', body: randomBytes(10) });
  const e1 =
    (await emu.call(`/${b}/mp?partNumber=1&uploadId=${id}`, { method: 'PUT', body: p1 })).headers.get(
      'etag',
    ) ?? '';
  const e2 =
    (await emu.call(`/${b}/mp?partNumber=2&uploadId=${id}`, { method: 'PUT', body: p2 })).headers.get(
      'etag',
    ) ?? '';
  t.is(e1, `"${createHash('md5').update(p1).digest('hex')}"`);
  const parts = await (await emu.call(`/${b}/mp?uploadId=${id}`)).text();
  t.regex(
    parts,
    /<Part><PartNumber>1<\/PartNumber>.*<Size>5242880<\/Size><\/Part><Part><PartNumber>2<\/PartNumber>/,
  );
  t.true((await (await emu.call(`/${b}?uploads`)).text()).includes(`<UploadId>${id}</UploadId>`));
  t.is((await emu.call(`/${b}/mp`, { method: 'HEAD' })).status, 404);
  const complete = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${e1}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>${e2}</ETag></Part></CompleteMultipartUpload>`;
  const done = await emu.call(`/${b}/mp?uploadId=${id}`, { method: 'POST', body: complete });
  t.is(done.status, 200);
  t.regex(
    await done.text(),
    /<CompleteMultipartUploadResult xmlns='http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/'><Location>[^<]+<\/Location><Bucket>test-bucket<\/Bucket><Key>mp<\/Key><ETag>"[0-9a-f]{32}-2"<\/ETag>/,
  );
  const head = await emu.call(`/${b}/mp`, { method: 'HEAD' });
  t.is(head.headers.get('content-type'), 'text/x-mp');
  t.false((head.headers.get('x-goog-hash') ?? '').includes('md5='));
  t.true(Buffer.from(await (await emu.call(`/${b}/mp`)).arrayBuffer()).equals(Buffer.concat([p1, p2])));
  t.is((await emu.call(`/${b}/mp?uploadId=${id}`)).status, 404);
});

test('multipart completion accepts ETags quoted with numeric references (Go encoding/xml, rclone)', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const init = await (await emu.call(`/${b}/go?uploads`, { method: 'POST' })).text();
  const id = /<UploadId>([^<]+)</.exec(init)?.[1] ?? '';
  const p1 = randomBytes(5 * 1024 * KiB);
  const p2 = Buffer.from('tail');
  const put = async (n: number, body: Buffer): Promise<string> =>
    (
      (await emu.call(`/${b}/go?partNumber=${n}&uploadId=${id}`, { method: 'PUT', body })).headers.get(
        'etag',
      ) ?? ''
    ).replace(/"/g, '&#34;');
  const e1 = await put(1, p1);
  const e2 = await put(2, p2);
  const complete = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${e1}</ETag></Part><Part><ETag>${e2}</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`;
  const done = await emu.call(`/${b}/go?uploadId=${id}`, { method: 'POST', body: complete });
  t.is(done.status, 200, await done.clone().text());
  t.true(Buffer.from(await (await emu.call(`/${b}/go`)).arrayBuffer()).equals(Buffer.concat([p1, p2])));
});

test('multipart errors: order, unknown part, small part, abort, UploadPartCopy', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const id =
    /<UploadId>([^<]+)</.exec(await (await emu.call(`/${b}/m?uploads`, { method: 'POST' })).text())?.[1] ??
    '';
  const e1 =
    (await emu.call(`/${b}/m?partNumber=1&uploadId=${id}`, { method: 'PUT', body: 'a' })).headers.get(
      'etag',
    ) ?? '';
  const e2 =
    (await emu.call(`/${b}/m?partNumber=2&uploadId=${id}`, { method: 'PUT', body: 'b' })).headers.get(
      'etag',
    ) ?? '';
  const doc = (parts: string): string => `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`;
  const part = (n: number, e: string): string =>
    `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`;
  const complete = async (body: string): Promise<string | undefined> =>
    errorCode(await (await emu.call(`/${b}/m?uploadId=${id}`, { method: 'POST', body })).text());
  t.is(await complete(doc(part(2, e2) + part(1, e1))), 'InvalidPartOrder');
  t.is(await complete(doc(part(1, e1) + part(3, e2))), 'InvalidPart');
  t.is(await complete(doc(part(1, e1) + part(2, e2))), 'EntityTooSmall');
  const copy = await emu.call(`/${b}/m?partNumber=3&uploadId=${id}`, {
    method: 'PUT',
    headers: { 'x-goog-copy-source': `/${b}/x` },
  });
  t.is(copy.status, 501);
  t.is((await emu.call(`/${b}`, { method: 'DELETE' })).status, 409);
  t.is((await emu.call(`/${b}/m?uploadId=${id}`, { method: 'DELETE' })).status, 204);
  t.is(
    errorCode(
      await (await emu.call(`/${b}/m?partNumber=1&uploadId=${id}`, { method: 'PUT', body: 'a' })).text(),
    ),
    'NoSuchUpload',
  );
});

/** A new resumable session of `name`, and a PUT to it with a Content-Range. */
async function newSession(t: ExecutionContext, name: string) {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const start = await emu.call(`/${b}/${name}`, { method: 'POST', headers: { 'x-goog-resumable': 'start' } });
  const location = start.headers.get('location') ?? '';
  const put = (range: string, body?: Buffer): Promise<Response> =>
    fetch(location, { method: 'PUT', ...(body ? { body } : {}), headers: { 'content-range': range } });
  return { emu, b, put };
}

test('resumable: a Content-Range that does not match the body, or a total below what is persisted, is a 400', async (t) => {
  const { emu, b, put } = await newSession(t, 'bad.bin');
  const data = randomBytes(512 * KiB);
  const first = await put(`bytes 0-${256 * KiB - 1}/*`, data.subarray(0, 256 * KiB));
  t.is(first.status, 308);
  // The range says 256 KiB, the body has 10 bytes less.
  const short = await put(`bytes ${256 * KiB}-${512 * KiB - 1}/*`, data.subarray(256 * KiB, 512 * KiB - 10));
  t.is(short.status, 400);
  t.is(errorCode(await short.text()), 'InvalidArgument');
  // A total smaller than the 256 KiB persisted, by a status query or with a chunk.
  const below = await put(`bytes */${100 * KiB}`);
  t.is(below.status, 400);
  t.is(errorCode(await below.text()), 'InvalidArgument');
  const belowChunk = await put(`bytes 0-${100 * KiB - 1}/${100 * KiB}`, data.subarray(0, 100 * KiB));
  t.is(belowChunk.status, 400);
  // A range past the total it declares.
  const past = await put(`bytes ${256 * KiB}-${512 * KiB - 1}/${300 * KiB}`, data.subarray(256 * KiB));
  t.is(past.status, 400);
  // Nothing was kept from the refused requests: the session goes on from 256 KiB.
  const status = await put('bytes */*');
  t.is(status.status, 308);
  t.is(status.headers.get('range'), `bytes=0-${256 * KiB - 1}`);
  const last = await put(`bytes ${256 * KiB}-${512 * KiB - 1}/${512 * KiB}`, data.subarray(256 * KiB));
  t.is(last.status, 200);
  t.true(Buffer.from(await (await emu.call(`/${b}/bad.bin`)).arrayBuffer()).equals(data));
});

test('resumable: a total declared once may not change', async (t) => {
  const { put } = await newSession(t, 't.bin');
  const data = randomBytes(512 * KiB);
  t.is((await put(`bytes 0-${256 * KiB - 1}/${512 * KiB}`, data.subarray(0, 256 * KiB))).status, 308);
  const other = await put(`bytes ${256 * KiB}-${512 * KiB - 1}/${600 * KiB}`, data.subarray(256 * KiB));
  t.is(other.status, 400);
  t.is((await put(`bytes ${256 * KiB}-${512 * KiB - 1}/${512 * KiB}`, data.subarray(256 * KiB))).status, 200);
});

test('resumable: a chunk cut mid-body, then a resend overlapping the persisted bytes: the object and its hashes are right', async (t) => {
  for (const folder of [false, true]) {
    const emu = await emulator(t, { folder });
    const b = await bucket(emu);
    const start = await emu.call(`/${b}/cut.bin`, { method: 'POST', headers: { 'x-goog-resumable': 'start' } });
    const location = new URL(start.headers.get('location') ?? '');
    const data = randomBytes(1024 * KiB);
    // 768 KiB announced, 400 KiB sent, then the connection drops: the bytes hashed as they came are not kept.
    await new Promise<void>((resolve) => {
      const req = http.request(location, {
        method: 'PUT',
        headers: { 'content-range': `bytes 0-${768 * KiB - 1}/*`, 'content-length': String(768 * KiB) },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(data.subarray(0, 400 * KiB), () => setTimeout(() => req.destroy(), 50));
    });
    const status = await fetch(location, { method: 'PUT', headers: { 'content-range': 'bytes */*' } });
    t.is(status.status, 308);
    const persisted = Number(/bytes=0-(\d+)/.exec(status.headers.get('range') ?? 'bytes=0--1')?.[1] ?? -1) + 1;
    // Resend from 100 KiB before what is persisted (overlap skipped) to the end.
    const from = Math.max(0, persisted - 100 * KiB);
    const last = await fetch(location, {
      method: 'PUT',
      body: data.subarray(from),
      headers: { 'content-range': `bytes ${from}-${data.length - 1}/${data.length}` },
    });
    t.is(last.status, 200, `folder=${folder}`);
    t.is(last.headers.get('etag'), `"${createHash('md5').update(data).digest('hex')}"`);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32c(data) >>> 0);
    t.true((last.headers.get('x-goog-hash') ?? '').includes(`crc32c=${crc.toString('base64')}`));
    t.true(Buffer.from(await (await emu.call(`/${b}/cut.bin`)).arrayBuffer()).equals(data));
  }
});
