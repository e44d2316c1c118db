import test from 'ava';
import { parseConfigText } from '../../../daemon/config/config-file.js';
import { ConfigError } from '../../../daemon/config/values.js';

const parse = (text: string): Record<string, unknown> => Object.fromEntries(parseConfigText(text, 'g.yaml'));

test("a gcsfuse-shaped file sets our options through gcsfuse's keys", (t) => {
  const values = parse(
    [
      'implicit-dirs: false',
      'only-dir: data/2024',
      'gcs-auth:',
      '  anonymous-access: true',
      'gcs-connection:',
      '  custom-endpoint: http://127.0.0.1:4443',
      '  billing-project: payer-1',
      '  sequential-read-size-mb: 2',
      'metadata-cache:',
      '  ttl-secs: -1',
      '  negative-ttl-secs: 2',
      'file-system:',
      '  file-mode: 0600',
      '  uid: 1000',
      'gcs-retries:',
      '  max-retry-sleep: 10s',
      '  multiplier: 1.5',
      'logging:',
      '  severity: WARNING',
      'metrics:',
      '  prometheus-port: 9101',
    ].join('\n'),
  );
  t.deepEqual(values, {
    'implicit-dirs': false,
    'only-dir': 'data/2024',
    anonymous: true,
    endpoint: 'http://127.0.0.1:4443',
    'billing-project': 'payer-1',
    'read-ahead-size': 2 * 1024 * 1024,
    'stat-cache-ttl': Infinity,
    'type-cache-ttl': Infinity,
    'negative-cache-ttl': 2000,
    'file-mode': 0o600,
    uid: 1000,
    'max-retry-sleep': 10_000,
    'retry-multiplier': 1.5,
    'log-level': 'warn',
    'metrics-port': 9101,
  });
});

test('our own options are top-level keys under their flag names; quoted values work too', (t) => {
  t.deepEqual(parse('memory-cache-size: 1G\nstat-cache-ttl: "90s"\nread-only: yes\n'), {
    'memory-cache-size': 1024 ** 3,
    'stat-cache-ttl': 90_000,
    'read-only': true,
  });
});

test('an empty file sets nothing', (t) => {
  t.deepEqual(parse(''), {});
  t.deepEqual(parse('# only a comment\n'), {});
});

test('an unknown key is reported with its line and a suggestion', (t) => {
  t.throws(() => parse('implicit-dirs: true\nmetadata-cache:\n  ttl-sec: 5\n'), {
    instanceOf: ConfigError,
    message: /^g\.yaml:3: unknown key 'metadata-cache\.ttl-sec' \(did you mean metadata-cache\./,
  });
  t.throws(() => parse('file-cache:\n  max-size-mb: 100\n'), {
    message: /^g\.yaml:1: unknown key 'file-cache'/,
  });
  t.throws(() => parse('config-file: other.yaml\n'), { message: /^g\.yaml:1: unknown key 'config-file'/ });
});

test('a bad value names the key and the line', (t) => {
  t.throws(() => parse('gcs-connection:\n  max-conns-per-host: many\n'), {
    message: "g.yaml:2: gcs-connection.max-conns-per-host: 'many' is not a whole number",
  });
  t.throws(() => parse('uid:\n'), { message: 'g.yaml:1: uid needs a single value' });
  t.throws(() => parse('file-system:\n  fuse-options: [allow_other]\n'), {
    message: /^g\.yaml:2: unknown key 'file-system\.fuse-options'/,
  });
});

test('broken YAML and duplicate keys are errors with a line', (t) => {
  t.throws(() => parse('uid: 1\nuid: 2\n'), { message: /^g\.yaml:2: not valid YAML/ });
  t.throws(() => parse('gcs-auth:\n  key-file: "unterminated\n'), {
    message: /^g\.yaml(:\d+)?: not valid YAML/,
  });
  t.throws(() => parse('- a\n- b\n'), { message: 'g.yaml:1: expected a mapping of option: value' });
});
