// The shared contract suite (docs/ARCHITECTURE.md, "Seams fixed early"): every StorageBackend runs these
// tests, so the fake, the decorators over it and the XML client against the emulator are held to the same
// guarantees. It asserts only what storage/backend.ts and storage/types.ts document; anything an
// implementation may choose is a capability.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { StorageBackend } from '../../storage/backend.js';
import { hashBuffer } from '../../storage/checksums.js';
import { isStorageError } from '../../storage/errors.js';
import type { StorageErrorCode } from '../../storage/errors.js';
import type { AclEntry, ListOptions, ListPage, ObjectMeta } from '../../storage/types.js';
import { Growing } from '../helpers/growing-source.js';

export interface BackendFixture {
  backend: StorageBackend;
  /** An existing, empty bucket for this test. */
  bucket: string;
  teardown(): Promise<void>;
}

export interface BackendCapabilities {
  /** Bucket create/delete may be exercised (default true). */
  bucketLifecycle?: boolean;
  /** ACLs may be read and written, including public canned ACLs (default true). */
  acls?: boolean;
  /** updateObjectMetadata keeps the generation and bumps the metageneration (JSON-API style). Without it,
   *  only "content unchanged, identity changed" is asserted (the XML API makes a new generation). */
  metadataUpdateKeepsGeneration?: boolean;
}

type Factory = () => Promise<BackendFixture>;

export async function readAll(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}

export async function collect(
  backend: StorageBackend,
  bucket: string,
  options: ListOptions = {},
): Promise<{ objects: string[]; prefixes: string[]; pages: ListPage[] }> {
  const pages: ListPage[] = [];
  for await (const page of backend.list(bucket, options)) pages.push(page);
  return {
    objects: pages.flatMap((p) => p.objects.map((o) => o.name)),
    prefixes: pages.flatMap((p) => p.prefixes),
    pages,
  };
}

async function rejects(
  t: ExecutionContext,
  p: Promise<unknown>,
  code: StorageErrorCode,
  what: string,
): Promise<void> {
  const e = await t.throwsAsync(p, undefined, what);
  t.true(isStorageError(e, code), `${what}: expected ${code}, got ${isStorageError(e) ? e.code : String(e)}`);
}

/** Same scope and permission, display names aside. */
function sameGrant(a: AclEntry, b: AclEntry): boolean {
  const who = (e: AclEntry): string => {
    const { name: _name, ...rest } = e.scope as AclEntry['scope'] & { name?: string };
    return JSON.stringify(rest, Object.keys(rest).sort());
  };
  return a.permission === b.permission && who(a) === who(b);
}

const newer = (a: string, b: string): boolean => BigInt(a) > BigInt(b);
const text = (s: string): Buffer => Buffer.from(s, 'utf8');

export function backendContract(
  name: string,
  factory: Factory,
  capabilities: BackendCapabilities = {},
): void {
  const caps = { bucketLifecycle: true, acls: true, metadataUpdateKeepsGeneration: false, ...capabilities };

  /** Registers a test that gets a fresh fixture, torn down even on failure. */
  const contract = (title: string, body: (t: ExecutionContext, f: BackendFixture) => Promise<void>): void => {
    test(`${name} contract: ${title}`, async (t) => {
      const fixture = await factory();
      t.teardown(() => fixture.teardown());
      await body(t, fixture);
    });
  };

  if (caps.bucketLifecycle) {
    contract(
      'buckets: create, head, list, conflict, invalid name, delete',
      async (t, { backend, bucket }) => {
        const extra = `${bucket.slice(0, 40)}-${randomBytes(6).toString('hex')}`;
        await backend.createBucket(extra);
        await backend.headBucket(extra);
        const names = (await backend.listBuckets()).map((b) => b.name);
        t.true(names.includes(extra) && names.includes(bucket));
        t.deepEqual(names, [...names].sort());
        await rejects(t, backend.createBucket(extra), 'already-exists', 'create twice');
        await rejects(t, backend.createBucket('Not_A_Valid_Bucket'), 'invalid-name', 'upper case name');
        await rejects(t, backend.createBucket('ab'), 'invalid-name', 'too short');
        await backend.writeObject(extra, 'keep', text('x'));
        await rejects(t, backend.deleteBucket(extra), 'bucket-not-empty', 'delete non-empty');
        await backend.deleteObject(extra, 'keep');
        await backend.deleteBucket(extra);
        await rejects(t, backend.headBucket(extra), 'bucket-not-found', 'head deleted');
        await rejects(t, backend.deleteBucket(extra), 'bucket-not-found', 'delete deleted');
        t.false((await backend.listBuckets()).some((b) => b.name === extra));
      },
    );
  }

  contract('missing bucket -> bucket-not-found on every call', async (t, { backend, bucket }) => {
    const missing = `${bucket.slice(0, 40)}-${randomBytes(6).toString('hex')}`;
    await rejects(t, backend.headBucket(missing), 'bucket-not-found', 'head');
    await rejects(t, backend.listPage(missing), 'bucket-not-found', 'list');
    await rejects(t, backend.statObject(missing, 'o'), 'bucket-not-found', 'stat');
    await rejects(t, backend.readObject(missing, 'o'), 'bucket-not-found', 'read');
    await rejects(t, backend.writeObject(missing, 'o', text('x')), 'bucket-not-found', 'write');
    await rejects(t, backend.deleteObject(missing, 'o'), 'bucket-not-found', 'delete');
  });

  contract('missing object -> not-found', async (t, { backend, bucket }) => {
    await rejects(t, backend.statObject(bucket, 'nope'), 'not-found', 'stat');
    await rejects(t, backend.readObject(bucket, 'nope'), 'not-found', 'read');
    await rejects(t, backend.deleteObject(bucket, 'nope'), 'not-found', 'delete');
    await rejects(t, backend.updateObjectMetadata(bucket, 'nope', {}), 'not-found', 'update');
    await rejects(
      t,
      backend.copyObject({ bucket, name: 'nope' }, { bucket, name: 'x' }),
      'not-found',
      'copy',
    );
  });

  contract('write, stat and read back; hashes and metadata', async (t, { backend, bucket }) => {
    const written = await backend.writeObject(bucket, 'notes/todo.txt', text('hello world'), {
      contentType: 'text/plain',
      cacheControl: 'no-cache',
      metadata: { mtime: '1704456000', Mode: '644' },
    });
    t.regex(written.generation, /^[1-9][0-9]*$/);
    t.is(written.metageneration, '1');
    t.is(written.size, 11);
    const meta = await backend.statObject(bucket, 'notes/todo.txt');
    t.is(meta.bucket, bucket);
    t.is(meta.name, 'notes/todo.txt');
    t.is(meta.generation, written.generation);
    t.is(meta.size, 11);
    t.is(meta.contentType, 'text/plain');
    t.is(meta.cacheControl, 'no-cache');
    t.deepEqual(meta.metadata, { mtime: '1704456000', mode: '644' });
    t.is(meta.crc32c, 'yZRlqg==');
    t.true(meta.md5 === undefined || meta.md5 === 'XrY7u+Ae7tCTyyK7j1rNww==');
    const read = await backend.readObject(bucket, 'notes/todo.txt');
    t.is(read.generation, written.generation);
    t.is(read.size, 11);
    t.is((await readAll(read.body)).toString(), 'hello world');
    const untyped = await backend.writeObject(bucket, 'untyped', text('x'));
    t.is(untyped.contentType, 'application/octet-stream');
  });

  contract('write from a reopenable stream source', async (t, { backend, bucket }) => {
    const data = randomBytes(300_000);
    const meta = await backend.writeObject(bucket, 'streamed', {
      size: data.length,
      open: (offset) =>
        Readable.from([data.subarray(offset, 100_000), data.subarray(Math.max(offset, 100_000))]),
    });
    t.is(meta.size, data.length);
    t.is(meta.crc32c, hashBuffer(data).crc32c);
    t.true((await readAll((await backend.readObject(bucket, 'streamed')).body)).equals(data));
  });

  contract(
    'write from a growing source: done once it ends; an abort writes nothing',
    async (t, { backend, bucket }) => {
      const data = randomBytes(300_000);
      const source = new Growing();
      const writing = backend.writeObject(bucket, 'grown', source, { ifGenerationMatch: '0' });
      source.append(data.subarray(0, 100_000));
      source.append(data.subarray(100_000));
      source.end();
      const meta = await writing;
      t.is(meta.size, data.length);
      t.is(meta.md5, hashBuffer(data).md5);
      t.true((await readAll((await backend.readObject(bucket, 'grown')).body)).equals(data));
      const controller = new AbortController();
      const dropped = new Growing();
      const aborted = backend.writeObject(bucket, 'dropped', dropped, { signal: controller.signal });
      dropped.append(data);
      controller.abort();
      await rejects(t, aborted, 'aborted', 'aborted growing write');
      await rejects(t, backend.statObject(bucket, 'dropped'), 'not-found', 'after abort');
    },
  );

  contract(
    'ranged reads clamp at the end; a start at or past the end is 416',
    async (t, { backend, bucket }) => {
      await backend.writeObject(bucket, 'r', text('hello world'));
      const range = async (start: number, end?: number): Promise<string> => {
        const r = await backend.readObject(bucket, 'r', {
          range: end === undefined ? { start } : { start, end },
        });
        t.is(r.size, 11);
        return (await readAll(r.body)).toString();
      };
      t.is(await range(0, 4), 'hello');
      t.is(await range(6), 'world');
      t.is(await range(6, 100), 'world');
      t.is(await range(10, 10), 'd');
      await rejects(
        t,
        backend.readObject(bucket, 'r', { range: { start: 11 } }),
        'range-not-satisfiable',
        'at end',
      );
      await rejects(
        t,
        backend.readObject(bucket, 'r', { range: { start: 50, end: 60 } }),
        'range-not-satisfiable',
        'past end',
      );
      await backend.writeObject(bucket, 'empty', Buffer.alloc(0));
      await rejects(
        t,
        backend.readObject(bucket, 'empty', { range: { start: 0 } }),
        'range-not-satisfiable',
        'empty',
      );
      t.is((await readAll((await backend.readObject(bucket, 'empty')).body)).length, 0);
    },
  );

  contract('overwrite makes a newer generation; old generations are gone', async (t, { backend, bucket }) => {
    const first = await backend.writeObject(bucket, 'o', text('one'));
    const second = await backend.writeObject(bucket, 'o', text('two'));
    t.true(newer(second.generation, first.generation));
    t.is(second.metageneration, '1');
    const read = await backend.readObject(bucket, 'o');
    t.is(read.generation, second.generation);
    t.is((await readAll(read.body)).toString(), 'two');
    await rejects(
      t,
      backend.readObject(bucket, 'o', { generation: first.generation }),
      'not-found',
      'old read',
    );
    await rejects(
      t,
      backend.statObject(bucket, 'o', { generation: first.generation }),
      'not-found',
      'old stat',
    );
    t.is((await backend.statObject(bucket, 'o', { generation: second.generation })).size, 3);
  });

  contract('write preconditions: 0 = must not exist, match, mismatch', async (t, { backend, bucket }) => {
    const created = await backend.writeObject(bucket, 'p', text('v1'), { ifGenerationMatch: '0' });
    await rejects(
      t,
      backend.writeObject(bucket, 'p', text('no'), { ifGenerationMatch: '0' }),
      'precondition-failed',
      'exists',
    );
    const stale = created.generation;
    const second = await backend.writeObject(bucket, 'p', text('v2'), {
      ifGenerationMatch: created.generation,
    });
    await rejects(
      t,
      backend.writeObject(bucket, 'p', text('no'), { ifGenerationMatch: stale }),
      'precondition-failed',
      'stale',
    );
    await rejects(
      t,
      backend.writeObject(bucket, 'p', text('no'), {
        ifGenerationMatch: second.generation,
        ifMetagenerationMatch: '7',
      }),
      'precondition-failed',
      'metageneration',
    );
    await rejects(
      t,
      backend.writeObject(bucket, 'absent', text('no'), { ifGenerationMatch: stale }),
      'precondition-failed',
      'absent',
    );
    t.is((await readAll((await backend.readObject(bucket, 'p')).body)).toString(), 'v2');
    await rejects(t, backend.statObject(bucket, 'absent'), 'not-found', 'failed write left nothing');
    await backend.writeObject(bucket, 'p', text('v3'), {
      ifGenerationMatch: second.generation,
      ifMetagenerationMatch: '1',
    });
  });

  contract(
    'listing: byte order, delimiter roll-up, placeholders, pagination, startAfter',
    async (t, { backend, bucket }) => {
      const names = ['a', 'b/1', 'b/2', 'b/c/3', 'c', 'd/', 'd/x', 'z', '\uFF5E', '\u{1F600}'];
      for (const n of [...names].reverse()) await backend.writeObject(bucket, n, text(n));

      const all = await collect(backend, bucket, { pageSize: 3 });
      t.deepEqual(all.objects, names, 'UTF-8 byte order, every object once');
      t.true(all.pages.length >= 4);
      t.true(all.pages.every((p) => p.objects.length + p.prefixes.length <= 3));
      t.is(all.pages.at(-1)?.nextPageToken, undefined);

      const top = await collect(backend, bucket, { delimiter: '/', pageSize: 1 });
      t.deepEqual(top.objects, ['a', 'c', 'z', '\uFF5E', '\u{1F600}']);
      t.deepEqual(top.prefixes, ['b/', 'd/']);
      t.true(top.pages.every((p) => p.objects.length + p.prefixes.length <= 1));

      const b = await backend.listPage(bucket, { prefix: 'b/', delimiter: '/' });
      t.deepEqual(
        b.objects.map((o) => o.name),
        ['b/1', 'b/2'],
      );
      t.deepEqual(b.prefixes, ['b/c/']);
      t.is(b.nextPageToken, undefined);

      const d = await backend.listPage(bucket, { prefix: 'd/', delimiter: '/' });
      t.deepEqual(
        d.objects.map((o) => o.name),
        ['d/', 'd/x'],
        'an object named like the prefix is listed',
      );

      const after = await collect(backend, bucket, { startAfter: 'b/2', pageSize: 2 });
      t.deepEqual(after.objects, names.slice(3));

      const listed = (await backend.listPage(bucket, { prefix: 'c' })).objects[0];
      const meta = await backend.statObject(bucket, 'c');
      t.like(listed, {
        name: 'c',
        size: 1,
        generation: meta.generation,
        metageneration: meta.metageneration,
      });
      t.true(listed !== undefined && Math.abs(listed.updated.getTime() - meta.updated.getTime()) < 1000);
      const none = await backend.listPage(bucket, { prefix: 'nothing/' });
      t.deepEqual([none.objects, none.prefixes, none.nextPageToken], [[], [], undefined]);
    },
  );

  contract('listing is strongly consistent with writes and deletes', async (t, { backend, bucket }) => {
    await backend.writeObject(bucket, 'x/1', text('1'));
    t.deepEqual((await collect(backend, bucket, { prefix: 'x/' })).objects, ['x/1']);
    await backend.deleteObject(bucket, 'x/1');
    t.deepEqual((await collect(backend, bucket, { prefix: 'x/' })).objects, []);
  });

  contract(
    'copy: new generation, COPY and REPLACE metadata, destination preconditions',
    async (t, { backend, bucket }) => {
      const src = await backend.writeObject(bucket, 'src', text('payload'), {
        contentType: 'text/plain',
        metadata: { k: 'v' },
      });
      const copied = await backend.copyObject({ bucket, name: 'src' }, { bucket, name: 'dst' });
      t.not(copied.generation, src.generation);
      t.is(copied.metageneration, '1');
      t.is(copied.contentType, 'text/plain');
      t.deepEqual(copied.metadata, { k: 'v' });
      t.is((await readAll((await backend.readObject(bucket, 'dst')).body)).toString(), 'payload');

      const replaced = await backend.copyObject(
        { bucket, name: 'src' },
        { bucket, name: 'dst' },
        {
          replaceMetadata: { contentType: 'application/x-test', metadata: { other: '1' } },
          ifGenerationMatch: copied.generation,
        },
      );
      t.true(newer(replaced.generation, copied.generation));
      t.is(replaced.contentType, 'application/x-test');
      t.deepEqual(replaced.metadata, { other: '1' });

      await rejects(
        t,
        backend.copyObject({ bucket, name: 'src' }, { bucket, name: 'dst' }, { ifGenerationMatch: '0' }),
        'precondition-failed',
        'destination exists',
      );
      const self = await backend.copyObject(
        { bucket, name: 'src' },
        { bucket, name: 'src' },
        { replaceMetadata: {} },
      );
      t.true(newer(self.generation, src.generation), 'copy onto itself is a new generation too');
      await rejects(
        t,
        backend.copyObject(
          { bucket, name: 'src' },
          { bucket, name: 'x' },
          { sourceGeneration: src.generation },
        ),
        'not-found',
        'stale source generation',
      );
    },
  );

  contract(
    'compose: concatenation in order, new generation, crc32c only, 1..32 sources',
    async (t, { backend, bucket }) => {
      const parts = ['alpha-', 'beta-', 'gamma'];
      const metas: ObjectMeta[] = [];
      for (const [i, p] of parts.entries())
        metas.push(await backend.writeObject(bucket, `part/${i}`, text(p)));
      const composed = await backend.composeObject(
        bucket,
        'whole',
        parts.map((_, i) => ({ name: `part/${i}` })),
        { contentType: 'text/plain' },
      );
      const whole = text(parts.join(''));
      t.is(composed.size, whole.length);
      t.is(composed.crc32c, hashBuffer(whole).crc32c);
      t.is(composed.md5, undefined);
      t.is(composed.componentCount, 3);
      t.is(composed.contentType, 'text/plain');
      t.is((await readAll((await backend.readObject(bucket, 'whole')).body)).toString(), parts.join(''));
      for (const [i, p] of parts.entries()) {
        t.is(
          (await readAll((await backend.readObject(bucket, `part/${i}`)).body)).toString(),
          p,
          'sources unchanged',
        );
      }
      const again = await backend.composeObject(
        bucket,
        'whole',
        [{ name: 'whole' }, { name: 'part/0', generation: metas[0]!.generation }],
        {
          ifGenerationMatch: composed.generation,
        },
      );
      t.true(newer(again.generation, composed.generation));
      t.is(
        (await readAll((await backend.readObject(bucket, 'whole')).body)).toString(),
        `${parts.join('')}alpha-`,
      );
      await rejects(t, backend.composeObject(bucket, 'w', []), 'invalid-argument', 'no sources');
      const many = Array.from({ length: 33 }, () => ({ name: 'part/0' }));
      await rejects(t, backend.composeObject(bucket, 'w', many), 'invalid-argument', '33 sources');
      t.is((await backend.composeObject(bucket, 'w', many.slice(0, 32))).size, 32 * 6);
      await rejects(
        t,
        backend.composeObject(bucket, 'w', [{ name: 'missing' }]),
        'not-found',
        'missing source',
      );
      await rejects(
        t,
        backend.composeObject(bucket, 'w', [{ name: 'part/0' }], { ifGenerationMatch: '0' }),
        'precondition-failed',
        'dest exists',
      );
    },
  );

  contract(
    'metadata update replaces metadata, keeps content, changes identity',
    async (t, { backend, bucket }) => {
      const before = await backend.writeObject(bucket, 'm', text('content'), {
        contentType: 'text/plain',
        metadata: { a: '1', b: '2' },
      });
      const after = await backend.updateObjectMetadata(bucket, 'm', {
        contentType: 'text/x-new',
        metadata: { c: '3' },
      });
      t.is(after.contentType, 'text/x-new');
      t.deepEqual(after.metadata, { c: '3' });
      t.is(after.size, before.size);
      t.is(after.crc32c, before.crc32c);
      if (caps.metadataUpdateKeepsGeneration) {
        t.is(after.generation, before.generation);
        t.true(newer(after.metageneration, before.metageneration));
      } else {
        t.true(
          newer(after.generation, before.generation) ||
            (after.generation === before.generation && newer(after.metageneration, before.metageneration)),
        );
      }
      const stat = await backend.statObject(bucket, 'm');
      t.like(stat, {
        generation: after.generation,
        metageneration: after.metageneration,
        contentType: 'text/x-new',
      });
      // No Cache-Control was stored: none is read back (the XML API serves a default in its place).
      t.is(stat.cacheControl, undefined);
      t.is((await readAll((await backend.readObject(bucket, 'm')).body)).toString(), 'content');
      await rejects(
        t,
        backend.updateObjectMetadata(
          bucket,
          'm',
          {},
          { ifGenerationMatch: before.generation === after.generation ? '1' : before.generation },
        ),
        'precondition-failed',
        'stale generation',
      );
      await rejects(
        t,
        backend.updateObjectMetadata(bucket, 'm', {}, { ifMetagenerationMatch: '99' }),
        'precondition-failed',
        'metageneration',
      );
    },
  );

  contract('delete: with and without preconditions and generation', async (t, { backend, bucket }) => {
    const first = await backend.writeObject(bucket, 'd', text('1'));
    const second = await backend.writeObject(bucket, 'd', text('2'));
    await rejects(
      t,
      backend.deleteObject(bucket, 'd', { ifGenerationMatch: first.generation }),
      'precondition-failed',
      'stale match',
    );
    await rejects(
      t,
      backend.deleteObject(bucket, 'd', { generation: first.generation }),
      'not-found',
      'stale generation',
    );
    t.is((await backend.statObject(bucket, 'd')).generation, second.generation);
    await backend.deleteObject(bucket, 'd', { ifGenerationMatch: second.generation });
    await rejects(t, backend.statObject(bucket, 'd'), 'not-found', 'stat after delete');
    await rejects(t, backend.readObject(bucket, 'd'), 'not-found', 'read after delete');
    await backend.writeObject(bucket, 'e', text('e'));
    await backend.deleteObject(bucket, 'e');
    await rejects(t, backend.deleteObject(bucket, 'e'), 'not-found', 'delete twice');
  });

  contract(
    'names with unicode, spaces, markup and repeated slashes round-trip',
    async (t, { backend, bucket }) => {
      const names = [
        'a//b',
        ' lead',
        'trail ',
        'sp ace/ü-ñ-日本語',
        'x&y<z>"q\'',
        '100%25',
        'plus+sign',
        'emoji-\u{1F600}',
        '#?[]*',
      ];
      for (const n of names) await backend.writeObject(bucket, n, text(`=${n}`));
      for (const n of names) {
        t.is((await backend.statObject(bucket, n)).name, n);
        t.is((await readAll((await backend.readObject(bucket, n)).body)).toString(), `=${n}`);
      }
      const listed = await collect(backend, bucket);
      t.deepEqual([...listed.objects].sort(), [...names].sort());
      t.deepEqual((await collect(backend, bucket, { prefix: 'a/', delimiter: '/' })).prefixes, ['a//']);
    },
  );

  contract('an aborted call rejects with aborted and leaves no object', async (t, { backend, bucket }) => {
    const ac = new AbortController();
    ac.abort();
    await rejects(
      t,
      backend.writeObject(bucket, 'ab', text('x'), { signal: ac.signal }),
      'aborted',
      'pre-aborted write',
    );
    await rejects(t, backend.statObject(bucket, 'ab'), 'not-found', 'nothing written');

    // The source yields one chunk, then stalls until the caller aborts.
    const mid = new AbortController();
    let pushed = false;
    const source = {
      size: 1000,
      open: () =>
        new Readable({
          read() {
            if (pushed) return;
            pushed = true;
            this.push(Buffer.alloc(100));
            setImmediate(() => {
              mid.abort();
            });
          },
        }),
    };
    await rejects(
      t,
      backend.writeObject(bucket, 'ab', source, { signal: mid.signal }),
      'aborted',
      'mid-upload abort',
    );
    await rejects(t, backend.statObject(bucket, 'ab'), 'not-found', 'no partial object');
  });

  contract('an aborted call rejects with aborted even when it was answered before', async (t, f) => {
    const { backend, bucket } = f;
    const dir = { prefix: 'd/', delimiter: '/' };
    await backend.writeObject(bucket, 'd/seen', text('x'));
    await backend.statObject(bucket, 'd/seen');
    await rejects(t, backend.statObject(bucket, 'd/missing'), 'not-found', 'a missing name');
    await collect(backend, bucket, dir);
    const ac = new AbortController();
    ac.abort();
    const signal = ac.signal;
    const listAll = async (): Promise<void> => {
      for await (const _ of backend.list(bucket, { ...dir, signal }));
    };
    await rejects(t, backend.statObject(bucket, 'd/seen', { signal }), 'aborted', 'stat of a seen name');
    await rejects(
      t,
      backend.statObject(bucket, 'd/missing', { signal }),
      'aborted',
      'stat of a missing name',
    );
    await rejects(t, backend.listPage(bucket, { ...dir, signal }), 'aborted', 'a page of a seen listing');
    await rejects(t, listAll(), 'aborted', 'a seen listing');
  });

  if (caps.acls) {
    contract(
      'ACLs: object get/set/canned bumps metageneration; bucket and default ACLs',
      async (t, { backend, bucket }) => {
        const obj = await backend.writeObject(bucket, 'acl', text('x'));
        const target = { kind: 'object', bucket, name: 'acl' } as const;
        const initial = await backend.getAcl(target);
        t.true(initial.entries.some((e) => e.permission === 'FULL_CONTROL'));

        await backend.setAcl(target, 'public-read');
        const pub = await backend.getAcl(target);
        t.true(pub.entries.some((e) => e.scope.type === 'AllUsers' && e.permission === 'READ'));
        const meta = await backend.statObject(bucket, 'acl');
        t.is(meta.generation, obj.generation);
        t.true(newer(meta.metageneration, obj.metageneration));

        await backend.setAcl(target, 'private', { ifMetagenerationMatch: meta.metageneration });
        t.false((await backend.getAcl(target)).entries.some((e) => e.scope.type === 'AllUsers'));
        await rejects(
          t,
          backend.setAcl(target, 'private', { ifMetagenerationMatch: meta.metageneration }),
          'precondition-failed',
          'stale',
        );

        const custom = {
          entries: [
            ...initial.entries.filter((e) => e.permission === 'FULL_CONTROL'),
            { scope: { type: 'AllAuthenticatedUsers' as const }, permission: 'READ' as const },
          ],
        };
        await backend.setAcl(target, custom);
        const read = await backend.getAcl(target);
        // The service may add display names; compare who and what only.
        for (const e of custom.entries)
          t.true(
            read.entries.some((r) => sameGrant(r, e)),
            JSON.stringify(e),
          );

        const withCanned = await backend.writeObject(bucket, 'acl2', text('y'), { cannedAcl: 'public-read' });
        t.true(
          (
            await backend.getAcl({ kind: 'object', bucket, name: 'acl2', generation: withCanned.generation })
          ).entries.some((e) => e.scope.type === 'AllUsers'),
        );

        const bucketAcl = await backend.getAcl({ kind: 'bucket', bucket });
        t.true(bucketAcl.entries.some((e) => e.permission === 'FULL_CONTROL'));
        await backend.setAcl({ kind: 'bucket', bucket }, 'public-read');
        t.true(
          (await backend.getAcl({ kind: 'bucket', bucket })).entries.some((e) => e.scope.type === 'AllUsers'),
        );
        t.true((await backend.getAcl({ kind: 'default-object', bucket })).entries.length > 0);
        await rejects(
          t,
          backend.getAcl({ kind: 'object', bucket, name: 'missing' }),
          'not-found',
          'missing object',
        );
      },
    );
  }
}
