// `gcsmount emulator`: runs the XML API emulator until SIGINT/SIGTERM. Prints exactly one line,
// `listening on http://HOST:PORT`, once it accepts connections, so scripts and tests can wait for it.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { defined } from '../common/defined.js';
import { createLogger, type LogLevel } from '../common/logger.js';
import { buildEmulator } from './assemble.js';
import type { UserRegistration } from './auth/token-registry.js';
import { parseFaultSpec, type FaultSpec } from './faults/fault-spec.js';
import { parseHmacLine, parseOauthUserLine, secretLines } from './secret-lines.js';
import { Store } from './store/store.js';

const HELP = `usage: gcsmount emulator [options]

Runs an emulator of the Cloud Storage XML API on loopback (no cloud account needed).

  --host HOST         address to bind (default 127.0.0.1)
  --port PORT         port to listen on; 0 picks a free one (default 4443)
  --data DIR          keep buckets and objects in DIR (survive restarts); default: in memory
  --project ID        project that owns buckets created without x-goog-project-id (default test-project)
  --hmac ID:SECRET    an HMAC key; once any is given, HMAC signatures (GOOG1, GOOG4, AWS, AWS4) are
                      verified and bad ones get the service's 403 (repeatable)
  --hmac-file FILE    HMAC keys, one ID:SECRET per line (# comments), kept out of ps (repeatable)
  --require-auth      refuse anonymous requests and bearer tokens this emulator did not issue
  --service-account FILE
                      accept JWT-bearer grants at POST /token signed by this service-account key
                      (repeatable)
  --oauth-user CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN
                      accept this refresh_token grant at POST /token (repeatable)
  --oauth-user-file FILE
                      OAuth users, one CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN per line (repeatable)
  --faults SPEC       inject faults (429/500/503, resets, latency, stalls, bandwidth caps); seeded.
                      See emulator/faults/README.md; also settable at /_emulator/faults
  --log-level LEVEL   debug, info, warn or error (default warn)
  -h, --help          this text
`;

function usageError(message: string): number {
  process.stderr.write(`gcsmount emulator: ${message}\n`);
  return 2;
}

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
        hmac: { type: 'string', multiple: true, default: [] },
        'hmac-file': { type: 'string', multiple: true, default: [] },
        'require-auth': { type: 'boolean', default: false },
        'service-account': { type: 'string', multiple: true, default: [] },
        'oauth-user': { type: 'string', multiple: true, default: [] },
        'oauth-user-file': { type: 'string', multiple: true, default: [] },
        faults: { type: 'string' },
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
  const hmacKeys = new Map<string, string>();
  const users: UserRegistration[] = [];
  let faults: FaultSpec | undefined;
  const serviceAccounts: string[] = [];
  try {
    const fromFiles = async (files: string[]): Promise<{ line: string; where: string }[]> =>
      (await Promise.all(files.map(async (f) => secretLines(await readFile(f, 'utf8'), f)))).flat();
    const hmac = [
      ...values.hmac.map((line) => ({ line, where: '--hmac' })),
      ...(await fromFiles(values['hmac-file'])),
    ];
    for (const { line, where } of hmac) hmacKeys.set(...parseHmacLine(line, where));
    const oauth = [
      ...values['oauth-user'].map((line) => ({ line, where: '--oauth-user' })),
      ...(await fromFiles(values['oauth-user-file'])),
    ];
    for (const { line, where } of oauth) users.push(parseOauthUserLine(line, where));
    if (values.faults !== undefined) faults = parseFaultSpec(values.faults);
    for (const file of values['service-account']) serviceAccounts.push(await readFile(file, 'utf8'));
  } catch (err) {
    return usageError((err as Error).message);
  }
  const logger = createLogger({ level });
  const store = values.data === undefined ? Store.memory() : await Store.folder(values.data);
  const emulator = await buildEmulator({
    store,
    project: values.project,
    host: values.host,
    port,
    logger,
    hmacKeys,
    requireAuth: values['require-auth'],
    serviceAccounts,
    users,
    ...defined({ faults }),
  });
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
