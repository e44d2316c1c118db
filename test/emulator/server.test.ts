// The HTTP front of the emulator: a client that closes a GET mid-body (a reader cancelling read-ahead it
// no longer needs) is not a server fault, so it is not logged as an internal error.

import test from 'ava';
import { request } from 'node:http';
import { createLogger } from '../../common/logger.js';
import { bucket, emulator, put } from '../helpers/emulator.js';

test('a GET the client abandons mid-body logs no error', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  const emu = await emulator(t, { logger });
  const b = await bucket(emu);
  await put(emu, b, 'big', Buffer.alloc(32 << 20, 7));
  await new Promise<void>((resolve, reject) => {
    const req = request(`${emu.url}/${b}/big`, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
    req.end();
  });
  // The server notices the closed socket when its next write fails; give it a few turns to do so.
  for (let i = 0; i < 50 && !lines.some((l) => l.includes('closed the connection')); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  t.true(lines.some((l) => l.includes('client closed the connection')), lines.join('\n'));
  t.false(lines.some((l) => / ERROR /.test(l) || l.includes('"error"')), lines.join('\n'));
});
