// rm and rmdir on a real mount while the store misbehaves (the emulator's fault injection, set after the
// files exist so only the deletes are hit): a 429 is a refusal and is retried whatever the delete's
// precondition; a lost answer is settled by asking the store; a 503 is retried when the delete is pinned
// to a generation (docs/SEMANTICS.md "Deletes under store faults").

import test from 'ava';
import type { ExecutionContext } from 'ava';
import { parseFaultSpec } from '../../emulator/faults/fault-spec.js';
import { mount } from '../helpers/mount.js';
import type { TestMount as Mount } from '../helpers/mount.js';
import { runOk } from '../helpers/tools.js';

const B = '/test-bucket';

/** The fault rules' firings, so a test proves the faults did hit the deletes. */
const fired = (m: Mount): number[] => m.emu.faults.state().rules.map((r) => r.fired);

/** A file `f` and an empty directory `d` (its marker `d/`): paths no fault filter of the other matches. */
async function files(m: Mount): Promise<void> {
  await runOk('mkdir', [m.at('d')]);
  await runOk('sh', ['-c', `printf data > ${m.at('f')}`]);
}

async function gone(t: ExecutionContext, m: Mount): Promise<void> {
  t.is((await m.emu.call(`${B}/f`, { method: 'HEAD' })).status, 404);
  t.is((await m.emu.call(`${B}/d/`, { method: 'HEAD' })).status, 404);
}

test('Deletes under store faults: rm and rmdir succeed through 429s with Retry-After', async (t) => {
  const m = await mount(t);
  await files(m);
  m.emu.faults.set(
    parseFaultSpec(
      `methods=DELETE,path=${B}/f,times=2,status=429,retry-after=1;` +
        `methods=DELETE,path=${B}/d/,times=2,status=429`,
    ),
  );
  await runOk('rm', [m.at('f')]);
  await runOk('rmdir', [m.at('d')]);
  t.deepEqual(fired(m), [2, 2]);
  await gone(t, m);
});

test('Deletes under store faults: rm and rmdir whose answers are lost after the store deleted succeed', async (t) => {
  const m = await mount(t);
  await files(m);
  m.emu.faults.set(
    parseFaultSpec(`methods=DELETE,path=${B}/f,times=1,reset=1;methods=DELETE,path=${B}/d/,times=1,reset=1`),
  );
  await runOk('rm', [m.at('f')]);
  await runOk('rmdir', [m.at('d')]);
  t.deepEqual(fired(m), [1, 1]);
  await gone(t, m);
});

test('Deletes under store faults: rmdir of a bucket in a project mount succeeds through a 503 and a lost answer', async (t) => {
  const m = await mount(t, { bucket: '_', buckets: ['cats-1', 'dogs-1'] });
  m.emu.faults.set(
    parseFaultSpec(
      'methods=DELETE,path=/cats-1,times=1,status=503;methods=DELETE,path=/dogs-1,times=1,reset=1',
    ),
  );
  await runOk('rmdir', [m.at('cats-1')]);
  await runOk('rmdir', [m.at('dogs-1')]);
  t.deepEqual(fired(m), [1, 1]);
  t.is((await m.emu.call('/cats-1', { method: 'HEAD' })).status, 404);
  t.is((await m.emu.call('/dogs-1', { method: 'HEAD' })).status, 404);
});

// A 503 is retried because the filesystem pins unlink and a marker's rmdir to the generation it looked
// up: an unconditioned delete is not repeated after a 503 (it may have happened, and a repeat could
// delete a newer object someone wrote meanwhile).
test('Deletes under store faults: rm and rmdir succeed through a 503 (generation-guarded deletes)', async (t) => {
  const m = await mount(t);
  await runOk('mkdir', [m.at('d')]);
  await runOk('sh', ['-c', `printf data > ${m.at('d', 'f')}`]);
  m.emu.faults.set(parseFaultSpec(`methods=DELETE,path=${B}/d/,times=2,status=503`));
  await runOk('rm', [m.at('d', 'f')]);
  await runOk('rmdir', [m.at('d')]);
  t.deepEqual(fired(m), [2]);
  t.is((await m.emu.call(`${B}/d/`, { method: 'HEAD' })).status, 404);
});
