import test from 'ava';
import {
  ConfigError,
  parseBoolean,
  parseDuration,
  parseInteger,
  parseMode,
  parseSize,
} from '../../../daemon/config/values.js';

const durations: [string, number][] = [
  ['90', 90_000],
  ['90s', 90_000],
  ['1.5m', 90_000],
  ['250ms', 250],
  ['2h', 7_200_000],
  ['0', 0],
];
for (const [text, ms] of durations) {
  test(`duration ${text}`, (t) => {
    t.is(parseDuration('x', text), ms);
  });
}

const sizes: [string, number][] = [
  ['0', 0],
  ['1048576', 1048576],
  ['512K', 512 * 1024],
  ['256M', 256 * 1024 ** 2],
  ['1.5G', 1.5 * 1024 ** 3],
  ['2GiB', 2 * 1024 ** 3],
  ['1t', 1024 ** 4],
];
for (const [text, bytes] of sizes) {
  test(`size ${text}`, (t) => {
    t.is(parseSize('x', text), bytes);
  });
}

test('modes are octal', (t) => {
  t.is(parseMode('file-mode', '644'), 0o644);
  t.is(parseMode('dir-mode', '0755'), 0o755);
});

test('bad values name the option and show accepted forms', (t) => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => parseDuration('stat-cache-ttl', '5 minutes'),
      /--stat-cache-ttl: '5 minutes' is not a duration \(examples/,
    ],
    [() => parseSize('memory-cache-size', 'lots'), /--memory-cache-size: 'lots' is not a size/],
    [() => parseMode('file-mode', '888'), /--file-mode: '888' is not an octal mode/],
    [() => parseInteger('uid', '-1'), /--uid: '-1' is not a whole number/],
    [() => parseInteger('uid', '99999999999999999999'), /too large/],
    [() => parseBoolean('read-only', 'maybe'), /--read-only: 'maybe' is not true or false/],
  ];
  for (const [fn, message] of cases) t.throws(fn, { instanceOf: ConfigError, message });
});

test('booleans accept the usual spellings', (t) => {
  for (const yes of ['true', 'YES', 'on', '1']) t.true(parseBoolean('b', yes));
  for (const no of ['false', 'No', 'off', '0']) t.false(parseBoolean('b', no));
});
