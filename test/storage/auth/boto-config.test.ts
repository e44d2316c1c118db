import test from 'ava';
import { mkdir, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BotoConfigError,
  botoSetsEndpoint,
  endpointFromBoto,
  loadBotoConfig,
  locateBotoConfig,
  parseBotoFiles,
} from '../../../storage/auth/boto-config.js';

const SPEC_EXAMPLE = `[Credentials]
gs_access_key_id = GOOG1EEXAMPLEACCESSID
gs_secret_access_key = bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ
gs_host = 127.0.0.1
gs_port = 4443

[Boto]
is_secure = False
https_validate_certificates = False
num_retries = 3

[GSUtil]
prefer_api = xml
default_project_id = test-project
default_api_version = 1
`;

test('locate: BOTO_CONFIG alone, ~ expanded, required', (t) => {
  t.deepEqual(locateBotoConfig({ BOTO_CONFIG: '~/b.cfg', BOTO_PATH: '/x:/y' }, '/home/u'), {
    paths: ['/home/u/b.cfg'],
    required: true,
  });
});

test('locate: an explicit path beats BOTO_CONFIG', (t) => {
  t.deepEqual(locateBotoConfig({ BOTO_CONFIG: '/a' }, '/home/u', '/flag.cfg'), {
    paths: ['/flag.cfg'],
    required: true,
  });
});

test('locate: BOTO_PATH is a colon list, each optional', (t) => {
  t.deepEqual(locateBotoConfig({ BOTO_PATH: '/etc/a.cfg:~/.b::/c' }, '/home/u'), {
    paths: ['/etc/a.cfg', '/home/u/.b', '/c'],
    required: false,
  });
});

test('locate: defaults are /etc/boto.cfg then ~/.boto', (t) => {
  t.deepEqual(locateBotoConfig({}, '/home/u'), {
    paths: ['/etc/boto.cfg', '/home/u/.boto'],
    required: false,
  });
  t.deepEqual(locateBotoConfig({ BOTO_CONFIG: '' }, '/home/u').paths, ['/etc/boto.cfg', '/home/u/.boto']);
});

test('the spec example parses into typed settings and an http endpoint', (t) => {
  const s = parseBotoFiles([{ path: '/h/.boto', text: SPEC_EXAMPLE }]);
  t.deepEqual(s.credentials, {
    gsAccessKeyId: 'GOOG1EEXAMPLEACCESSID',
    gsSecretAccessKey: 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ',
    gsHost: '127.0.0.1',
    gsPort: 4443,
  });
  t.deepEqual(s.boto, { isSecure: false, httpsValidateCertificates: false, numRetries: 3 });
  t.deepEqual(s.gsutil, { preferApi: 'xml', defaultProjectId: 'test-project', defaultApiVersion: '1' });
  t.deepEqual(s.oauth2, {});
  t.deepEqual(s.googleCompute, {});
  t.deepEqual(s.files, ['/h/.boto']);
  t.is(endpointFromBoto(s), 'http://127.0.0.1:4443');
  t.true(botoSetsEndpoint(s));
});

test('endpoint defaults: https://storage.googleapis.com, default ports dropped, IPv6 bracketed', (t) => {
  const none = parseBotoFiles([]);
  t.is(endpointFromBoto(none), 'https://storage.googleapis.com');
  t.false(botoSetsEndpoint(none));
  const https443 = parseBotoFiles([
    { path: 'f', text: '[Credentials]\ngs_host = gcs.local\ngs_port = 443\n' },
  ]);
  t.is(endpointFromBoto(https443), 'https://gcs.local');
  const v6 = parseBotoFiles([{ path: 'f', text: '[Credentials]\ngs_host = ::1\ngs_port = 9000\n' }]);
  t.is(endpointFromBoto(v6), 'https://[::1]:9000');
  // Like http.client, a port inside gs_host is accepted when gs_port is unset.
  const hostPort = parseBotoFiles([{ path: 'f', text: '[Credentials]\ngs_host = gcs.local:4443\n' }]);
  t.is(endpointFromBoto(hostPort), 'https://gcs.local:4443');
  for (const bad of ['gcs.local:4443\ngs_port = 1', 'a b', 'h/path', 'user@h']) {
    const s = parseBotoFiles([{ path: '/h/.boto', text: `[Credentials]\ngs_host = ${bad}\n` }]);
    t.throws(() => endpointFromBoto(s), {
      instanceOf: BotoConfigError,
      message: /^\/h\/\.boto: \[Credentials\] gs_host .* is not a host/,
    });
  }
});

test('OAuth2, GoogleCompute and Boto sections, with %% escapes and DEFAULT interpolation', (t) => {
  const s = parseBotoFiles([
    {
      path: 'f',
      text: [
        '[DEFAULT]',
        'base = http://127.0.0.1:8080',
        '[OAuth2]',
        'client_id = 123.apps',
        'client_secret = shh',
        'provider_token_uri = %(base)s/token',
        'token_cache_path_pattern = /tmp/tc.%%(uid)s.%%(key)s',
        'oauth2_refresh_retries = 2',
        '[GoogleCompute]',
        'service_account = default',
        '[Boto]',
        'is_secure = on',
        'https_validate_certificates = yes',
        'proxy = proxy.local',
        'proxy_port = 3128',
        'http_socket_timeout = 30',
        'max_retry_delay = 8',
        'ca_certificates_file = system',
        'debug = 2',
      ].join('\n'),
    },
  ]);
  t.deepEqual(s.oauth2, {
    clientId: '123.apps',
    clientSecret: 'shh',
    providerTokenUri: 'http://127.0.0.1:8080/token',
    tokenCachePathPattern: '/tmp/tc.%(uid)s.%(key)s',
    oauth2RefreshRetries: 2,
  });
  t.deepEqual(s.googleCompute, { serviceAccount: 'default' });
  // is_secure follows getboolean ("on" is true); https_validate_certificates follows boto's getbool
  // ("yes" is not "true", so false).
  t.deepEqual(s.boto, {
    isSecure: true,
    httpsValidateCertificates: false,
    proxy: 'proxy.local',
    proxyPort: 3128,
    httpSocketTimeout: 30,
    maxRetryDelay: 8,
    caCertificatesFile: 'system',
    debug: 2,
  });
});

test('bad typed values are errors naming file, line, section and key', (t) => {
  t.throws(() => parseBotoFiles([{ path: '/b', text: '[Boto]\n\nis_secure = maybe\n' }]), {
    instanceOf: BotoConfigError,
    message: /^\/b:3: \[Boto\] is_secure must be True or False/,
  });
  t.throws(() => parseBotoFiles([{ path: '/b', text: '[Credentials]\ngs_port = 44x\n' }]), {
    message: /^\/b:2: \[Credentials\] gs_port must be an integer, not '44x'/,
  });
});

test('later files override earlier ones key by key', (t) => {
  const s = parseBotoFiles([
    { path: '/etc/boto.cfg', text: '[Credentials]\ngs_host = a\ngs_port = 1\n' },
    { path: '/h/.boto', text: '[Credentials]\ngs_port = 2\n' },
  ]);
  t.is(s.credentials.gsHost, 'a');
  t.is(s.credentials.gsPort, 2);
});

test('loadBotoConfig reads files, skips missing optional ones, fails on a missing BOTO_CONFIG', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'boto-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a.cfg'), '[GSUtil]\ndefault_project_id = a\n');
  await writeFile(join(dir, 'b.cfg'), '[GSUtil]\ndefault_project_id = b\n');
  const viaPath = await loadBotoConfig({
    env: { BOTO_PATH: `${dir}/a.cfg:${dir}/missing.cfg:${dir}/b.cfg` },
    homeDir: dir,
  });
  t.is(viaPath.gsutil.defaultProjectId, 'b');
  t.deepEqual(viaPath.files, [`${dir}/a.cfg`, `${dir}/b.cfg`]);

  const home = await loadBotoConfig({ env: {}, homeDir: dir }); // no ~/.boto there: not an error
  t.false(home.files.includes(`${dir}/.boto`));

  await t.throwsAsync(loadBotoConfig({ env: { BOTO_CONFIG: `${dir}/nope.cfg` }, homeDir: dir }), {
    instanceOf: BotoConfigError,
    message: `${dir}/nope.cfg: the BOTO_CONFIG file does not exist`,
  });
  await t.throwsAsync(loadBotoConfig({ env: {}, homeDir: dir, explicitPath: `${dir}/nope.cfg` }), {
    message: /the --boto-config file does not exist/,
  });
});

test('loadBotoConfig reports an unreadable file instead of ignoring it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'boto-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, '.boto')); // readable by nobody as a file, even root
  await t.throwsAsync(loadBotoConfig({ env: {}, homeDir: dir }), {
    instanceOf: BotoConfigError,
    message: `${dir}/.boto: the boto file cannot be read (EISDIR)`,
  });
});
