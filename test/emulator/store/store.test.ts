import test from 'ava';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../../../emulator/server.js';
import { Store } from '../../../emulator/store/store.js';
import { encodeKey } from '../../helpers/emulator.js';

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...(await walk(p)));
  }
  return out;
}

test('a folder store keeps buckets, objects, metadata and ACLs across a restart', async (t) => {
  const dir = await tempDir(t);
  const first = await startEmulator({ store: await Store.folder(dir), project: 'p' });
  await fetch(`${first.url}/keep`, { method: 'PUT' });
  const put = await fetch(`${first.url}/keep/a/b.txt`, {
    method: 'PUT',
    body: 'persisted',
    headers: { 'x-goog-meta-x': '1', 'x-goog-acl': 'public-read' },
  });
  await first.close();
  const second = await startEmulator({ store: await Store.folder(dir), project: 'p' });
  t.teardown(() => second.close());
  const got = await fetch(`${second.url}/keep/a/b.txt`);
  t.is(await got.text(), 'persisted');
  t.is(got.headers.get('x-goog-meta-x'), '1');
  t.is(got.headers.get('x-goog-generation'), put.headers.get('x-goog-generation'));
  t.true((await (await fetch(`${second.url}/keep/a/b.txt?acl`)).text()).includes("<Scope type='AllUsers'/>"));
  const again = await fetch(`${second.url}/keep/a/b.txt`, { method: 'PUT', body: 'v2' });
  t.true(
    BigInt(again.headers.get('x-goog-generation') ?? '0') >
      BigInt(put.headers.get('x-goog-generation') ?? '0'),
  );
});

test('no object name, whatever bytes it holds, makes a path outside the data folder', async (t) => {
  const dir = await tempDir(t);
  const emu = await startEmulator({ store: await Store.folder(dir), project: 'p' });
  t.teardown(() => emu.close());
  await fetch(`${emu.url}/trav`, { method: 'PUT' });
  const hostile = [
    '../../../../tmp/escape',
    '..%2F..%2Fx',
    '/abs/path',
    'a/../../b',
    '\\..\\win',
    '%00nul',
    'x'.repeat(1024),
  ];
  for (const name of hostile) {
    const res = await fetch(`${emu.url}/trav/${encodeURIComponent(name)}`, { method: 'PUT', body: name });
    t.is(res.status, 200, name);
  }
  for (const name of hostile) {
    t.is(await (await fetch(`${emu.url}/trav/${encodeKey(name)}`)).text(), name, name);
  }
  const files = await walk(dir);
  t.true(files.every((f) => f.startsWith(dir + path.sep)));
  t.true(files.every((f) => !/escape|abs|win/.test(path.basename(f))));
});

test('a folder store drops unfinished uploads and orphan blobs at start-up', async (t) => {
  const dir = await tempDir(t);
  const store = await Store.folder(dir);
  const emu = await startEmulator({ store, project: 'p' });
  await fetch(`${emu.url}/bk1`, { method: 'PUT' });
  await fetch(`${emu.url}/bk1/o`, { method: 'PUT', body: 'x' });
  await emu.close();
  await writeFile(path.join(dir, 'tmp', 'half-written'), 'partial');
  await writeFile(path.join(dir, 'blobs', '00000000-0000-0000-0000-000000000000'), 'orphan');
  await Store.folder(dir);
  t.deepEqual(await readdir(path.join(dir, 'tmp')), []);
  t.is((await readdir(path.join(dir, 'blobs'))).length, 1);
});

test('the memory store serves many concurrent writers of one name with strictly increasing generations', async (t) => {
  const store = Store.memory();
  const emu = await startEmulator({ store, project: 'p' });
  t.teardown(() => emu.close());
  await fetch(`${emu.url}/conc`, { method: 'PUT' });
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      fetch(`${emu.url}/conc/o`, {
        method: 'PUT',
        body: String(i),
        headers: { 'x-goog-if-generation-match': '0' },
      }),
    ),
  );
  t.is(results.filter((r) => r.status === 200).length, 1);
  t.is(results.filter((r) => r.status === 412).length, 19);
});
