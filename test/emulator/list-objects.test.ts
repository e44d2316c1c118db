import test from 'ava';
import { bucket, emulator, errorCode, put, type TestEmulator } from '../helpers/emulator.js';

const keys = (xml: string): string[] => [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1] ?? '');
const prefixes = (xml: string): string[] =>
  [...xml.matchAll(/<CommonPrefixes><Prefix>([^<]*)<\/Prefix><\/CommonPrefixes>/g)].map((m) => m[1] ?? '');
const tag = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

async function seed(emu: TestEmulator, names: string[]): Promise<string> {
  const b = await bucket(emu);
  for (const n of names) await put(emu, b, n, n);
  return b;
}

test('delimiter rolls names up into common prefixes; a dir/ marker shows in Contents', async (t) => {
  const emu = await emulator(t);
  const b = await seed(emu, [
    'a.txt',
    'photos/',
    'photos/2023/x.jpg',
    'photos/2024/y.jpg',
    'photos/z.jpg',
    'q/r',
  ]);
  const top = await (await emu.call(`/${b}?delimiter=/`)).text();
  t.deepEqual(keys(top), ['a.txt']);
  t.deepEqual(prefixes(top), ['photos/', 'q/']);
  const inside = await (await emu.call(`/${b}?delimiter=/&prefix=photos/`)).text();
  t.deepEqual(keys(inside), ['photos/', 'photos/z.jpg']);
  t.deepEqual(prefixes(inside), ['photos/2023/', 'photos/2024/']);
  t.is(tag(inside, 'Prefix'), 'photos/');
  t.is(tag(inside, 'IsTruncated'), 'false');
});

test('v1 pagination: NextMarker even without a delimiter, and resuming after a prefix skips its group', async (t) => {
  const emu = await emulator(t);
  const b = await seed(emu, ['a', 'b/1', 'b/2', 'b/3', 'c', 'd']);
  const first = await (await emu.call(`/${b}?max-keys=2`)).text();
  t.deepEqual(keys(first), ['a', 'b/1']);
  t.is(tag(first, 'NextMarker'), 'b/1');
  t.is(tag(first, 'IsTruncated'), 'true');
  const grouped = await (await emu.call(`/${b}?delimiter=/&max-keys=2`)).text();
  t.deepEqual(keys(grouped), ['a']);
  t.deepEqual(prefixes(grouped), ['b/']);
  t.is(tag(grouped, 'NextMarker'), 'b/');
  const rest = await (await emu.call(`/${b}?delimiter=/&max-keys=2&marker=b/`)).text();
  t.deepEqual(keys(rest), ['c', 'd']);
  t.is(tag(rest, 'IsTruncated'), 'false');
});

test('v2 pagination walks thousands of objects in 1000-entry pages with continuation tokens', async (t) => {
  const emu = await emulator(t);
  const b = await bucket(emu);
  const names = Array.from({ length: 2500 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
  // In batches: 2,500 requests at once exhaust sockets on a loaded machine and flake.
  for (let i = 0; i < names.length; i += 100) {
    await Promise.all(names.slice(i, i + 100).map((n) => put(emu, b, n, '')));
  }
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const q = token === undefined ? '' : `&continuation-token=${encodeURIComponent(token)}`;
    const xml = await (await emu.call(`/${b}?list-type=2&prefix=k/${q}`)).text();
    t.is(Number(tag(xml, 'KeyCount')), keys(xml).length);
    seen.push(...keys(xml));
    token = tag(xml, 'NextContinuationToken');
    pages++;
  } while (token !== undefined);
  t.is(pages, 3);
  t.deepEqual(seen, names);
  const bad = await emu.call(`/${b}?list-type=2&continuation-token=garbage!`);
  t.is(bad.status, 400);
  t.is(errorCode(await bad.text()), 'InvalidArgument');
});

test('v2 start-after and max-keys=0', async (t) => {
  const emu = await emulator(t);
  const b = await seed(emu, ['a', 'b', 'c']);
  t.deepEqual(keys(await (await emu.call(`/${b}?list-type=2&start-after=a`)).text()), ['b', 'c']);
  const none = await (await emu.call(`/${b}?max-keys=0`)).text();
  t.deepEqual(keys(none), []);
  t.is(tag(none, 'IsTruncated'), 'true');
});

test('names sort by UTF-8 bytes, and encoding-type=url encodes keys and prefixes', async (t) => {
  const emu = await emulator(t);
  const b = await seed(emu, ['\uffee', '😀', 'z', 'a b/c']);
  const xml = await (await emu.call(`/${b}`)).text();
  t.deepEqual(keys(xml), ['a b/c', 'z', '\uffee', '😀']);
  const enc = await (await emu.call(`/${b}?list-type=2&encoding-type=url&delimiter=/`)).text();
  t.deepEqual(prefixes(enc), ['a%20b/']);
  t.true(keys(enc).includes('%F0%9F%98%80'));
  t.is(tag(enc, 'EncodingType'), 'url');
});

test('listing a missing bucket is NoSuchBucket', async (t) => {
  const emu = await emulator(t);
  const res = await emu.call('/not-there');
  t.is(res.status, 404);
  t.is(errorCode(await res.text()), 'NoSuchBucket');
});
