// The resumable upload's hooks for a caller that must survive its own crash (the mount's journal): the
// session URL and each offset the store confirmed are reported as they happen, and a later upload given
// that session resumes where the store has it (nothing confirmed is sent again), or starts a new session
// when the old one is gone.

import test from 'ava';
import { isStorageError } from '../../../storage/errors.js';
import { bytes, readAll, setup } from './helpers/setup.js';

const MiB = 1024 * 1024;
const opts = { backend: { uploadThresholds: { singleRequestMax: MiB, chunkSize: MiB } } };

type Progress = { session: string; persisted: number };

/** Starts an upload that "crashes" (hangs for good, as a killed process) once `at` bytes are confirmed. */
async function crashedUpload(
  s: Awaited<ReturnType<typeof setup>>,
  name: string,
  data: Buffer,
  at: number,
  ifGenerationMatch?: string,
): Promise<Progress> {
  return new Promise<Progress>((resolve) => {
    void s.backend.writeObject(s.bucket, name, data, {
      ...(ifGenerationMatch === undefined ? {} : { ifGenerationMatch }),
      resumable: {
        onProgress: (p) => {
          if (p.persisted < at) return;
          resolve(p);
          return new Promise<void>(() => undefined);
        },
      },
    });
  });
}

test('the session and each confirmed offset are reported, in order', async (t) => {
  const s = await setup(t, opts);
  const seen: Progress[] = [];
  await s.backend.writeObject(s.bucket, 'r', bytes(5 * MiB), {
    resumable: { onProgress: (p) => void seen.push(p) },
  });
  t.deepEqual(
    seen.map((p) => p.persisted),
    [0, 1, 2, 3, 4].map((n) => n * MiB),
  );
  t.is(new Set(seen.map((p) => p.session)).size, 1);
  t.regex(seen[0]?.session ?? '', /upload_id=/);
});

test('an upload given the session of a crashed one resumes where the store has it, byte-identical', async (t) => {
  const s = await setup(t, opts);
  const data = bytes(6 * MiB);
  const crashed = await crashedUpload(s, 'big', data, 2 * MiB);
  const seen: Progress[] = [];
  const meta = await s.backend.writeObject(s.bucket, 'big', data, {
    resumable: { session: crashed.session, onProgress: (p) => void seen.push(p) },
  });
  t.is(meta.size, data.length);
  t.true((await readAll((await s.backend.readObject(s.bucket, 'big')).body)).equals(data));
  t.is(seen[0]?.session, crashed.session);
  t.true((seen[0]?.persisted ?? 0) >= 2 * MiB, JSON.stringify(seen));
});

test('a session that is gone starts a new one', async (t) => {
  const s = await setup(t, opts);
  const data = bytes(3 * MiB);
  const crashed = await crashedUpload(s, 'g', data, MiB);
  const gone = crashed.session.replace(/upload_id=[^&]+/, 'upload_id=no-such-session');
  const seen: Progress[] = [];
  await s.backend.writeObject(s.bucket, 'g', data, {
    resumable: { session: gone, onProgress: (p) => void seen.push(p) },
  });
  t.true((await readAll((await s.backend.readObject(s.bucket, 'g')).body)).equals(data));
  t.is(seen[0]?.persisted, 0);
  t.not(seen[0]?.session, gone);
});

test('a resumed session keeps its precondition: an object written meanwhile is not clobbered', async (t) => {
  const s = await setup(t, opts);
  const data = bytes(3 * MiB);
  const crashed = await crashedUpload(s, 'c', data, MiB, '0');
  await s.backend.writeObject(s.bucket, 'c', Buffer.from('theirs'));
  const e = await t.throwsAsync(
    s.backend.writeObject(s.bucket, 'c', data, {
      ifGenerationMatch: '0',
      resumable: { session: crashed.session },
    }),
  );
  t.true(isStorageError(e, 'precondition-failed'), String(e));
  t.is((await readAll((await s.backend.readObject(s.bucket, 'c')).body)).toString(), 'theirs');
});
