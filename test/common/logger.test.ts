import test from 'ava';
import { createLogger, redactText } from '../../common/logger.js';

const fixed = () => new Date('2026-01-02T03:04:05.000Z');

test('levels below the threshold are dropped', (t) => {
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', write: (l) => lines.push(l), now: fixed });
  log.info('hidden');
  log.warn('shown', { n: 1 });
  t.deepEqual(lines, ['2026-01-02T03:04:05.000Z WARN shown n=1']);
});

test('json format carries fields and child bindings', (t) => {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', write: (l) => lines.push(l), now: fixed }).child({
    mount: 'm1',
  });
  log.error('upload failed', { object: 'a/b' });
  t.deepEqual(JSON.parse(lines[0]!), {
    time: '2026-01-02T03:04:05.000Z',
    level: 'error',
    msg: 'upload failed',
    mount: 'm1',
    object: 'a/b',
  });
});

test('journald format prefixes the syslog priority', (t) => {
  const lines: string[] = [];
  const log = createLogger({ format: 'journald', level: 'debug', write: (l) => lines.push(l) });
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
  t.deepEqual(
    lines.map((l) => l.slice(0, 3)),
    ['<7>', '<6>', '<4>', '<3>'],
  );
});

test('secrets never reach the output, by field name or by shape', (t) => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), now: fixed });
  log.info('sent Authorization: Bearer ya29.abcDEF-123 to server', {
    client_secret: 'hunter2',
    refreshToken: '1//0gabc',
    note: 'GOOG1 GOOGKEY:c2lnbmF0dXJl=',
  });
  const out = lines.join('\n');
  for (const secret of ['ya29.abcDEF-123', 'hunter2', '1//0gabc', 'c2lnbmF0dXJl']) {
    t.false(out.includes(secret), secret);
  }
  t.true(out.includes('[REDACTED]'));
});

test('private keys are redacted from free text', (t) => {
  const text = 'key: -----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY----- end';
  t.is(redactText(text), 'key: [REDACTED] end');
});
