import test from 'ava';
import { constants } from 'node:fs';
import { FsError } from '../../../daemon/posix/errors.js';
import { mknod } from '../../../daemon/fs/mknod.js';

/** Records the create/release calls mknod makes. */
function recorder(): { calls: string[]; fs: Parameters<typeof mknod>[0] } {
  const calls: string[] = [];
  return {
    calls,
    fs: {
      create: (path, mode) => {
        calls.push(`create ${path} ${mode.toString(8)}`);
        return Promise.resolve(7);
      },
      release: (fd) => {
        calls.push(`release ${String(fd)}`);
        return Promise.resolve();
      },
    },
  };
}

test('a regular file is created empty and closed, with its permission bits', async (t) => {
  const r = recorder();
  await mknod(r.fs, '/b/f', constants.S_IFREG | 0o640);
  t.deepEqual(r.calls, ['create /b/f 640', 'release 7']);
});

test('type 0 means a regular file, as in mknod(2)', async (t) => {
  const r = recorder();
  await mknod(r.fs, '/b/f', 0o600);
  t.deepEqual(r.calls, ['create /b/f 600', 'release 7']);
});

for (const [name, type] of [
  ['a FIFO', constants.S_IFIFO],
  ['a socket', constants.S_IFSOCK],
  ['a character device', constants.S_IFCHR],
  ['a block device', constants.S_IFBLK],
] as const) {
  test(`${name} is refused with EPERM and nothing is created`, async (t) => {
    const r = recorder();
    const err = await t.throwsAsync(mknod(r.fs, '/b/x', type | 0o644), { instanceOf: FsError });
    t.is(err.code, 'perm');
    t.deepEqual(r.calls, []);
  });
}
