import test from 'ava';
import { fstat } from 'node:fs';
import { resolveLogFormat } from '../../../daemon/lifecycle/log-format.js';

const stderrId = (): Promise<string> =>
  new Promise((resolve, reject) => {
    fstat(2, { bigint: true }, (err, st) => {
      if (err) reject(err);
      else resolve(`${st.dev}:${st.ino}`);
    });
  });

test('an explicit format wins', async (t) => {
  t.is(await resolveLogFormat('json', { JOURNAL_STREAM: await stderrId() }), 'json');
  t.is(await resolveLogFormat('text', { JOURNAL_STREAM: await stderrId() }), 'text');
});

test('auto: journald only when JOURNAL_STREAM names our stderr', async (t) => {
  t.is(await resolveLogFormat('auto', {}), 'text');
  t.is(await resolveLogFormat('auto', { JOURNAL_STREAM: await stderrId() }), 'journald');
  t.is(await resolveLogFormat('auto', { JOURNAL_STREAM: '1:2' }), 'text');
  t.is(await resolveLogFormat('auto', { JOURNAL_STREAM: 'garbage' }), 'text');
});
