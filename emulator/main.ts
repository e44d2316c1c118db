// `gcsmount emulator`: runs the XML API emulator until SIGINT/SIGTERM. Prints exactly one line,
// `listening on http://HOST:PORT`, once it accepts connections, so scripts and tests can wait for it.

import { parseArgs } from 'node:util';
import { createLogger, type LogLevel } from '../common/logger.js';
import { startEmulator } from './server.js';
import { Store } from './store/store.js';

const HELP = `usage: gcsmount emulator [options]

Runs an emulator of the Cloud Storage XML API on loopback (no cloud account needed).

  --host HOST         address to bind (default 127.0.0.1)
  --port PORT         port to listen on; 0 picks a free one (default 4443)
  --data DIR          keep buckets and objects in DIR (survive restarts); default: in memory
  --project ID        project that owns buckets created without x-goog-project-id (default test-project)
  --log-level LEVEL   debug, info, warn or error (default warn)
  -h, --help          this text
`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '4443' },
        data: { type: 'string' },
        project: { type: 'string', default: 'test-project' },
        'log-level': { type: 'string', default: 'warn' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`gcsmount emulator: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`gcsmount emulator: --port must be 0..65535, got '${values.port}'\n`);
    return 2;
  }
  const level = values['log-level'] as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    process.stderr.write(`gcsmount emulator: --log-level must be debug, info, warn or error\n`);
    return 2;
  }
  const logger = createLogger({ level });
  const store = values.data === undefined ? Store.memory() : await Store.folder(values.data);
  const emulator = await startEmulator({ store, project: values.project, host: values.host, port, logger });
  process.stdout.write(`listening on ${emulator.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emulator.close();
  return 0;
}
