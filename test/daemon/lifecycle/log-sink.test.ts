import test from 'ava';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { detachedLogFile, fileSink, syslogMessage } from '../../../daemon/lifecycle/log-sink.js';

test('journald priority prefixes become daemon-facility syslog priorities', (t) => {
  t.is(syslogMessage('<3>ERROR boom', 7), '<27>gcsmount[7]: ERROR boom');
  t.is(syslogMessage('{"level":"info"}', 7), '<30>gcsmount[7]: {"level":"info"}');
});

test('a detached daemon logs to --log-file, else syslog when there is one, else the default file', async (t) => {
  t.is(await detachedLogFile('rel.log', '/d.log', '/nonexistent'), path.resolve('rel.log'));
  t.is(await detachedLogFile(undefined, '/d.log', '/nonexistent'), '/d.log');
});

test('the file sink appends, and reopens a file moved away (logrotate)', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-log-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'sub', 'g.log');
  const sink = await fileSink(file);
  sink.write('one');
  await rename(file, `${file}.1`);
  sink.reopen();
  sink.write('two');
  await sink.close();
  t.is(await readFile(`${file}.1`, 'utf8'), 'one\n');
  t.is(await readFile(file, 'utf8'), 'two\n');
});

test('a log file that cannot be opened is reported at once', async (t) => {
  await t.throwsAsync(fileSink('/proc/gcsmount-no/g.log'));
});
