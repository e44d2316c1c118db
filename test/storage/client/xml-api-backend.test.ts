// The shared backend contract, run on XmlApiBackend against a real emulator over HTTP (one per test):
// anonymously, and with HMAC (GOOG4) signatures that an emulator requiring authentication verifies.

import { buildEmulator } from '../../../emulator/assemble.js';
import type { EmulatorConfig } from '../../../emulator/assemble.js';
import { Store } from '../../../emulator/store/store.js';
import { AnonymousCredentials } from '../../../storage/auth/anonymous.js';
import type { Credentials } from '../../../storage/auth/credentials.js';
import { HmacCredentials } from '../../../storage/auth/hmac.js';
import { XmlApiBackend } from '../../../storage/client/xml-api-backend.js';
import { backendContract } from '../backend-contract.js';
import type { BackendFixture } from '../backend-contract.js';

async function fixture(
  credentials: Credentials,
  emulator: Partial<EmulatorConfig> = {},
): Promise<BackendFixture> {
  const emu = await buildEmulator({ project: 'test-project', store: Store.memory(), ...emulator });
  const backend = new XmlApiBackend({
    endpoint: emu.url,
    credentials,
    project: 'test-project',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    // Small thresholds so the contract's larger bodies go through resumable uploads too.
    uploadThresholds: { singleRequestMax: 1024 * 1024, chunkSize: 256 * 1024 },
  });
  await backend.createBucket('contract-bucket');
  return {
    backend,
    bucket: 'contract-bucket',
    teardown: async () => {
      await backend.close();
      await emu.close();
    },
  };
}

backendContract('xml-api (emulator)', () => fixture(new AnonymousCredentials()));

const ACCESS_ID = 'GOOG1CONTRACTACCESSID000000000';
const SECRET = 'contract/secret+0123456789abcdefghijklmn';
backendContract('xml-api (emulator, HMAC)', () =>
  fixture(new HmacCredentials({ accessId: ACCESS_ID, secret: SECRET }), {
    hmacKeys: new Map([[ACCESS_ID, SECRET]]),
    requireAuth: true,
  }),
);
