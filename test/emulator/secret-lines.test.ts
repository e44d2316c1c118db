import test from 'ava';
import {
  parseHmacLine,
  parseOauthUserLine,
  SecretLineError,
  secretLines,
} from '../../emulator/secret-lines.js';

test('a secrets file: one entry per line, blanks and comments skipped, lines numbered', (t) => {
  const text = '# keys for the demo\nGOOG1ID:se:cret\n\n  OTHER:x  \r\n';
  t.deepEqual(secretLines(text, 'k.txt'), [
    { line: 'GOOG1ID:se:cret', where: 'k.txt:2' },
    { line: 'OTHER:x', where: 'k.txt:4' },
  ]);
});

test('HMAC lines: ID:SECRET, the secret may hold colons', (t) => {
  t.deepEqual(parseHmacLine('GOOG1ID:se:cret', 'k:1'), ['GOOG1ID', 'se:cret']);
  for (const bad of ['nocolon', ':secret', 'id:'])
    t.throws(() => parseHmacLine(bad, 'k.txt:3'), {
      instanceOf: SecretLineError,
      message: 'k.txt:3: expected ACCESS_ID:SECRET',
    });
});

test('OAuth user lines: CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN exactly', (t) => {
  t.deepEqual(parseOauthUserLine('c:s:r', 'u:1'), { clientId: 'c', clientSecret: 's', refreshToken: 'r' });
  for (const bad of ['c:s', 'c:s:r:x', 'c::r'])
    t.throws(() => parseOauthUserLine(bad, 'u.txt:2'), {
      message: 'u.txt:2: expected CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN',
    });
});
