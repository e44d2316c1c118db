// Manual measurement behind DEFAULT_UPLOAD_THRESHOLDS (not a test: speed goals never live in tests).
// Starts the emulator in its own process (so server and client do not share one event loop), then times
// a single PUT, a resumable upload (XmlApiBackend, sequential chunks) and an XML multipart upload (raw
// requests, parallel parts) for each size. Run: npx tsx test/storage/client/helpers/upload-bench.ts [MiB...]

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { hashBuffer } from '../../../../storage/checksums.js';
import { AnonymousCredentials } from '../../../../storage/auth/anonymous.js';
import { XmlApiBackend } from '../../../../storage/client/xml-api-backend.js';
import { bytes } from './setup.js';

const MiB = 1024 * 1024;

async function startEmulator(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import=tsx', '-e', "import('./emulator/main.ts').then((m) => m.main(['--port', '0']))"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const m = /listening on (\S+)/.exec(line);
    if (m?.[1] !== undefined) return { url: m[1], stop: () => child.kill('SIGTERM') };
  }
  throw new Error('emulator did not start');
}

async function multipart(
  url: string,
  bucket: string,
  name: string,
  data: Buffer,
  part: number,
  parallel: number,
) {
  // The client needs whole-object hashes for end-to-end checks either way.
  hashBuffer(data);
  const base = `${url}/${bucket}/${name}`;
  const init = await request(`${base}?uploads`, { method: 'POST', headers: { 'content-length': '0' } });
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(await init.body.text())?.[1] ?? '';
  const count = Math.ceil(data.length / part);
  const etags: string[] = new Array<string>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const body = data.subarray(i * part, Math.min(data.length, (i + 1) * part));
      const res = await request(`${base}?partNumber=${i + 1}&uploadId=${encodeURIComponent(id)}`, {
        method: 'PUT',
        body,
        headers: { 'content-length': String(body.length) },
      });
      await res.body.dump();
      etags[i] = String(res.headers['etag']);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const done = await request(`${base}?uploadId=${encodeURIComponent(id)}`, { method: 'POST', body: xml });
  await done.body.text();
  if (done.statusCode !== 200) throw new Error(`complete: ${done.statusCode}`);
}

async function time(label: string, runs: number, fn: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)} median ${ms[Math.floor(ms.length / 2)]?.toFixed(0)} ms  (${ms.map((m) => m.toFixed(0)).join(', ')})`,
  );
}

const sizes = process.argv.slice(2).map(Number);
const emu = await startEmulator();
try {
  const credentials = new AnonymousCredentials();
  const backend = (single: number, chunk: number): XmlApiBackend =>
    new XmlApiBackend({
      endpoint: emu.url,
      credentials,
      uploadThresholds: { singleRequestMax: single, chunkSize: chunk },
    });
  const huge = 2 ** 31 - 1;
  await backend(huge, 8 * MiB).createBucket('bench');
  for (const size of sizes.length > 0 ? sizes : [8, 16, 64]) {
    const data = bytes(size * MiB, size);
    const runs = size >= 256 ? 3 : 5;
    if (size <= 64)
      await time(`${size} MiB single PUT`, runs, () =>
        backend(huge, 8 * MiB).writeObject('bench', 'o', data),
      );
    for (const chunk of [8, 16, 32]) {
      if (chunk > size) continue;
      await time(`${size} MiB resumable ${chunk} MiB chunks`, runs, () =>
        backend(0, chunk * MiB).writeObject('bench', 'o', data),
      );
    }
    for (const [part, parallel] of [
      [8, 4],
      [16, 4],
      [8, 8],
    ] as const) {
      if (part > size) continue;
      await time(`${size} MiB multipart ${part} MiB parts x${parallel}`, runs, () =>
        multipart(emu.url, 'bench', 'o', data, part * MiB, parallel),
      );
    }
  }
} finally {
  emu.stop();
}
