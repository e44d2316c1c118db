// A record a previous run left, made a pending object again: under its name, on its base generation,
// with the recorded mtime and the session it had started (with that session's own metadata); a name that
// has a pending object already is refused (the caller keeps the file).

import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MTIME_KEY } from '../../../daemon/posix/attrs.js';
import type { JournalRecord } from '../../../daemon/write/journal.js';
import { PendingRegistry } from '../../../daemon/write/pending-registry.js';
import { recoveredEntry } from '../../../daemon/write/recovered-entry.js';

test('a closing record becomes a pending object with its size, mtime and session', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-recovered-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'staged');
  await writeFile(file, 'twelve bytes');
  const record: JournalRecord = {
    v: 1,
    bucket: 'bkt',
    object: 'a/b',
    baseGeneration: '42',
    writable: { contentType: 'text/plain', metadata: { [MTIME_KEY]: '1700000000' } },
    state: 'closing',
    session: 'http://127.0.0.1:9/bkt/a/b?upload_id=x',
    persisted: 8,
    sessionWritable: { contentType: 'text/plain', metadata: { [MTIME_KEY]: '1600000000' } },
    size: 12,
    updatedAt: new Date(0).toISOString(),
  };
  const registry = new PendingRegistry();
  const entry = await recoveredEntry(registry, file, record, new Date());
  t.teardown(() => entry?.staging?.handle.close());
  t.truthy(entry);
  t.is(registry.get('bkt', 'a/b'), entry);
  t.like(entry, { base: '42', recovered: true, journaled: 'closing', size: 12 });
  t.is(entry?.mtime.getTime(), 1700000000 * 1000);
  t.like(entry?.session, { url: record.session, persisted: 8, version: entry?.version });
  t.is(entry?.session?.writable?.metadata[MTIME_KEY], '1600000000');
  t.is(await recoveredEntry(registry, file, record, new Date()), undefined);
});
