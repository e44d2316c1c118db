// s3cmd and the AWS CLI, speaking GCS's S3 interoperability dialect (spec 10) to the emulator.

import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emulator } from '../helpers/emulator.js';
import { run, runOk } from '../helpers/tools.js';
import { HMAC_ID, HMAC_SECRET } from './keys.js';

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gcsmount-s3tools-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('s3cmd: make bucket, put, ls, get, copy, ACL, metadata, delete', async (t) => {
  const emu = await emulator(t, { hmacKeys: new Map([[HMAC_ID, HMAC_SECRET]]) });
  const dir = await tempDir(t);
  const host = emu.url.replace('http://', '');
  const cfg = path.join(dir, 's3cfg');
  await writeFile(
    cfg,
    `[default]\naccess_key = ${HMAC_ID}\nsecret_key = ${HMAC_SECRET}\nhost_base = ${host}\nhost_bucket = ${host}\nuse_https = False\n`,
  );
  const s3cmd = (...args: string[]): Promise<string> => runOk('s3cmd', ['-c', cfg, ...args]);
  const input = path.join(dir, 'in.bin');
  const data = randomBytes(100_000);
  await writeFile(input, data);
  await s3cmd('mb', 's3://s3cmd-bucket');
  await s3cmd('put', input, 's3://s3cmd-bucket/dir/in.bin');
  t.regex(await s3cmd('ls', 's3://s3cmd-bucket/dir/'), /100000\s+s3:\/\/s3cmd-bucket\/dir\/in\.bin/);
  await s3cmd('get', '--force', 's3://s3cmd-bucket/dir/in.bin', path.join(dir, 'out.bin'));
  t.true((await readFile(path.join(dir, 'out.bin'))).equals(data));
  await s3cmd('cp', 's3://s3cmd-bucket/dir/in.bin', 's3://s3cmd-bucket/copy.bin');
  await s3cmd('setacl', '--acl-public', 's3://s3cmd-bucket/copy.bin');
  t.regex(await s3cmd('info', 's3://s3cmd-bucket/copy.bin'), /ACL:\s+\*anon\*: READ/);
  await s3cmd('modify', '--add-header=x-amz-meta-color:blue', 's3://s3cmd-bucket/copy.bin');
  const head = await emu.call('/s3cmd-bucket/copy.bin', { method: 'HEAD' });
  t.is(head.headers.get('x-goog-meta-color'), 'blue');
  await s3cmd('del', 's3://s3cmd-bucket/copy.bin', 's3://s3cmd-bucket/dir/in.bin');
  await s3cmd('rb', 's3://s3cmd-bucket');
  t.is((await emu.call('/s3cmd-bucket', { method: 'HEAD' })).status, 404);
});

test('aws s3 and s3api: multipart upload, list, download, copy, ACL, head, delete', async (t) => {
  const emu = await emulator(t, { hmacKeys: new Map([[HMAC_ID, HMAC_SECRET]]) });
  const dir = await tempDir(t);
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: HMAC_ID,
    AWS_SECRET_ACCESS_KEY: HMAC_SECRET,
    AWS_DEFAULT_REGION: 'auto',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
  };
  const aws = (...args: string[]): Promise<string> =>
    runOk('/usr/bin/aws', ['--endpoint-url', emu.url, ...args], { env });
  const input = path.join(dir, 'in.bin');
  const data = randomBytes(20 * 1024 * 1024 + 5); // above the CLI's 8 MiB multipart threshold
  await writeFile(input, data);
  await aws('s3', 'mb', 's3://aws-bucket');
  await aws('s3', 'cp', '--only-show-errors', input, 's3://aws-bucket/d/in.bin');
  t.regex(await aws('s3', 'ls', '--recursive', 's3://aws-bucket/'), /20971525 d\/in\.bin/);
  await aws('s3', 'cp', '--only-show-errors', 's3://aws-bucket/d/in.bin', path.join(dir, 'out.bin'));
  t.true((await readFile(path.join(dir, 'out.bin'))).equals(data));
  await aws(
    's3api',
    'copy-object',
    '--bucket',
    'aws-bucket',
    '--key',
    'c.bin',
    '--copy-source',
    'aws-bucket/d/in.bin',
  );
  await aws('s3api', 'put-object-acl', '--bucket', 'aws-bucket', '--key', 'c.bin', '--acl', 'public-read');
  const acl = JSON.parse(
    await aws('s3api', 'get-object-acl', '--bucket', 'aws-bucket', '--key', 'c.bin'),
  ) as {
    Grants: { Grantee: { URI?: string }; Permission: string }[];
  };
  t.true(
    acl.Grants.some(
      (g) => g.Grantee.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ',
    ),
  );
  await aws(
    's3api',
    'put-object',
    '--bucket',
    'aws-bucket',
    '--key',
    'm.txt',
    '--metadata',
    'color=blue',
    '--body',
    input,
  );
  const head = JSON.parse(await aws('s3api', 'head-object', '--bucket', 'aws-bucket', '--key', 'm.txt')) as {
    ContentLength: number;
    Metadata: Record<string, string>;
  };
  t.is(head.ContentLength, data.length);
  t.deepEqual(head.Metadata, { color: 'blue' });
  await aws('s3', 'rm', '--only-show-errors', '--recursive', 's3://aws-bucket/');
  await aws('s3', 'rb', 's3://aws-bucket');
  t.is((await emu.call('/aws-bucket', { method: 'HEAD' })).status, 404);
});

test('a wrong secret is refused with the service error, as real clients see it', async (t) => {
  const emu = await emulator(t, { hmacKeys: new Map([[HMAC_ID, HMAC_SECRET]]) });
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: HMAC_ID,
    AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    AWS_DEFAULT_REGION: 'auto',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const r = await run('/usr/bin/aws', ['--endpoint-url', emu.url, 's3', 'mb', 's3://never-made'], { env });
  t.not(r.code, 0);
  t.regex(r.stderr, /SignatureDoesNotMatch/);
  t.is((await emu.call('/never-made', { method: 'HEAD' })).status, 404);
});
