// Tests mirror the source tree (docs/CONTRIBUTING.md): test/P/N.test.ts tests the source file P/N.ts, the
// folder P/N/, or one aspect of P/B.ts when N is B-<aspect> (cached-backend-contract -> cached-backend).
// test/integration/ and test/interop/ are the documented exceptions (real mounts and real tools); the few
// files that test more than one source, or sources that are not TypeScript, are listed below with why.
// A new test that fits nowhere fails here: move it, rename it, or add it to the list with a reason.

import test from 'ava';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Folders under test/ whose files need no source counterpart. */
const FREE_FOLDERS: Record<string, string> = {
  'test/integration/': 'real emulator, real FUSE mount, real tools (CONTRIBUTING.md)',
  'test/interop/': 'third-party clients against the emulator (CONTRIBUTING.md)',
  'test/systemd/': 'tests of systemd/ (unit file, mount helper, install script): not TypeScript',
};

/** Single test files without a one-to-one source, and why. */
const EXCEPTIONS: Record<string, string> = {
  'test/layout.test.ts': 'this file: it tests the layout of the repository',
  'test/emulator/buckets.test.ts': 'the emulator over HTTP, by request family (emulator/handlers/*)',
  'test/emulator/objects.test.ts': 'the emulator over HTTP, by request family (emulator/handlers/*)',
  'test/emulator/list-objects.test.ts': 'the emulator over HTTP, by request family (emulator/handlers/*)',
  'test/emulator/copy-compose.test.ts': 'the emulator over HTTP, by request family (emulator/handlers/*)',
  'test/emulator/auth/signing-property.test.ts': 'property tests of sigv2/sigv4 through the authenticator',
  'test/storage/client/credentials.test.ts': 'the XML client with each kind of storage/auth credentials',
  'test/daemon/fuse/fuse-native.test.ts': 'the patched fuse-native build (patches/, scripts/build-native.sh)',
  'test/storage/xml/documents.test.ts': 'the small request documents of storage/xml/, together',
};

async function exists(p: string): Promise<boolean> {
  try {
    await stat(path.join(ROOT, p));
    return true;
  } catch {
    return false;
  }
}

/** The source a test file stands for, or undefined when there is none. */
async function sourceOf(testFile: string): Promise<string | undefined> {
  const stem = testFile.replace(/^test\//, '').replace(/\.test\.ts$/, '');
  if (await exists(`${stem}.ts`)) return `${stem}.ts`;
  if (await exists(`${stem}/`)) return `${stem}/`;
  const dir = path.posix.dirname(stem);
  const parts = path.posix.basename(stem).split('-');
  for (let n = parts.length - 1; n >= 1; n--) {
    const base = path.posix.join(dir, parts.slice(0, n).join('-'));
    if (await exists(`${base}.ts`)) return `${base}.ts`;
  }
  return undefined;
}

async function testFiles(): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, 'test'), { recursive: true });
  return entries
    .map((e) => path.posix.join('test', e.split(path.sep).join('/')))
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

test('every test file mirrors a source file or folder, or is a listed exception', async (t) => {
  const strays: string[] = [];
  for (const file of await testFiles()) {
    if (Object.keys(FREE_FOLDERS).some((folder) => file.startsWith(folder))) continue;
    if (file in EXCEPTIONS) continue;
    if ((await sourceOf(file)) === undefined) strays.push(file);
  }
  t.deepEqual(strays, [], 'move, rename, or list these in test/layout.test.ts with a reason');
});

test('every listed exception still exists and still has no source of its own', async (t) => {
  for (const file of Object.keys(EXCEPTIONS)) {
    t.true(await exists(file), `${file} is listed but gone: drop it from the list`);
    if (file !== 'test/layout.test.ts') {
      t.is(await sourceOf(file), undefined, `${file} now mirrors a source: drop it from the list`);
    }
  }
});

test('the mirror rule finds sources as the header says', async (t) => {
  t.is(await sourceOf('test/cache/cached-backend.test.ts'), 'cache/cached-backend.ts');
  t.is(await sourceOf('test/cache/cached-backend-contract.test.ts'), 'cache/cached-backend.ts');
  t.is(await sourceOf('test/storage/fake.test.ts'), 'storage/fake/');
  t.is(await sourceOf('test/cache/no-such-thing.test.ts'), undefined);
});
