// The backend contract suite (test/storage/backend-contract.ts) on the caching decorator over the in-memory
// fake: a cache must keep every guarantee of storage/backend.ts (strong consistency above all) for what
// passes through it. Its TTLs are long and its clock stands still, so any answer it serves from a stale
// entry fails the suite instead of expiring first.

import { ManualClock } from '../../common/clock.js';
import { CachedBackend } from '../../cache/cached-backend.js';
import { ContentCache } from '../../cache/content-cache.js';
import { ListingCache } from '../../cache/listing-cache.js';
import { MemoryBlocks } from '../../cache/memory-blocks.js';
import { MetadataCache } from '../../cache/metadata-cache.js';
import { NameSet } from '../../cache/name-set.js';
import { MemoryBackend, type MemoryBackendOptions } from '../../storage/fake/memory-backend.js';
import { backendContract, type BackendCapabilities } from '../storage/backend-contract.js';

const HOUR = 3_600_000;

function cachedOverMemory(title: string, options: MemoryBackendOptions, caps?: BackendCapabilities): void {
  backendContract(
    title,
    async () => {
      const clock = new ManualClock();
      const memory = new MemoryBackend({ ...options, clock });
      await memory.createBucket('contract-bucket');
      const backend = new CachedBackend(memory, {
        metadata: new MetadataCache({ ttlMs: HOUR, maxEntries: 10_000, clock }),
        negative: new NameSet({ ttlMs: HOUR, maxEntries: 10_000, clock }),
        listings: new ListingCache({ ttlMs: HOUR, maxEntries: 10_000, clock }),
        content: new ContentCache({ memory: new MemoryBlocks({ maxBytes: 1 << 20 }) }),
      });
      return { backend, bucket: 'contract-bucket', teardown: () => Promise.resolve() };
    },
    caps,
  );
}

cachedOverMemory('cached(memory)', {});
cachedOverMemory(
  'cached(memory, metageneration updates)',
  { metadataUpdate: 'metageneration' },
  { metadataUpdateKeepsGeneration: true },
);
