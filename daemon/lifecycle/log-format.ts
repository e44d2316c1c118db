// Resolves `--log-format auto`: journald priority prefixes when stderr is the journal, else text. systemd
// sets $JOURNAL_STREAM to the device:inode of the stream it connected; a child that inherited the variable
// but writes elsewhere (a shell redirect) must not get prefixes, so the pair is compared with fstat(2).

import { fstat } from 'node:fs';
import type { LogFormat } from '../../common/logger.js';

export function resolveLogFormat(format: LogFormat | 'auto', env: NodeJS.ProcessEnv): Promise<LogFormat> {
  if (format !== 'auto') return Promise.resolve(format);
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return Promise.resolve('text');
  return new Promise((resolve) => {
    fstat(2, { bigint: true }, (err, st) => {
      resolve(!err && String(st.dev) === m[1] && String(st.ino) === m[2] ? 'journald' : 'text');
    });
  });
}
