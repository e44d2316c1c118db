import test from 'ava';
import { connect } from 'node:net';
import { ChunkExtensionNormalizer } from '../../../emulator/http/chunk-extension-normalizer.js';
import { bucket, emulator } from '../../helpers/emulator.js';

function run(input: string, splits: number[]): string {
  const n = new ChunkExtensionNormalizer();
  const buf = Buffer.from(input, 'latin1');
  const out: Buffer[] = [];
  let at = 0;
  for (const s of [...splits, buf.length]) {
    out.push(...n.push(buf.subarray(at, s)));
    at = s;
  }
  return Buffer.concat(out).toString('latin1');
}

const request =
  'PUT /b/o HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n6;name=v\r\n world\r\n0;\r\nTrailer: t\r\n\r\n' +
  'PUT /b/p HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n5;\r\n\r\nX' +
  'GET /b/o HTTP/1.1\r\nHost: x\r\n\r\n';
const expected =
  'PUT /b/o HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n' +
  'PUT /b/p HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n5;\r\n\r\nX' +
  'GET /b/o HTTP/1.1\r\nHost: x\r\n\r\n';

test('drops chunk extensions, leaves bodies (even ones that look like chunk lines) untouched', (t) => {
  t.is(run(request, []), expected);
});

test('gives the same result however the stream is split', (t) => {
  for (let i = 1; i < request.length; i += 7)
    t.is(run(request, [i, Math.min(request.length, i + 3)]), expected, String(i));
});

test("the emulator accepts boto's empty chunk extensions over a real socket", async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const port = emu.port;
  const response = await new Promise<string>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(
        `PUT /${b}/streamed HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      );
      s.write('2000;\r\n' + 'a'.repeat(0x2000) + '\r\n3;\r\nend\r\n0;\r\n\r\n');
    });
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
  t.regex(response, /^HTTP\/1.1 200 OK/);
  const body = await (await emu.call(`/${b}/streamed`)).text();
  t.is(body, 'a'.repeat(0x2000) + 'end');
});
