// The shared backend contract, run on XmlApiBackend against a real emulator over HTTP (one per test).

import { buildEmulator } from '../../../emulator/assemble.js';
import { Store } from '../../../emulator/store/store.js';
import { AnonymousCredentials } from '../../../storage/auth/anonymous.js';
import { XmlApiBackend } from '../../../storage/client/xml-api-backend.js';
import { backendContract } from '../backend-contract.js';

backendContract('xml-api (emulator)', async () => {
  const emu = await buildEmulator({ project: 'test-project', store: Store.memory() });
  const backend = new XmlApiBackend({
    endpoint: emu.url,
    credentials: new AnonymousCredentials(),
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
});
