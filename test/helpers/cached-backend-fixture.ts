// The caching decorator as its tests see it: CachedBackend over the in-memory fake, counted by
// test/helpers/counting-backend.ts (what reached the store), with a fault injector and held answers
// (test/helpers/held-answers.ts) in between, on a manual clock.

import { ManualClock } from '../../common/clock.js';
import { CachedBackend } from '../../cache/cached-backend.js';
import { ContentCache } from '../../cache/content-cache.js';
import { ListingCache } from '../../cache/listing-cache.js';
import { MemoryBlocks } from '../../cache/memory-blocks.js';
import { MetadataCache } from '../../cache/metadata-cache.js';
import { NameSet } from '../../cache/name-set.js';
import { isStorageError } from '../../storage/errors.js';
import { FaultyBackend } from '../../storage/fake/faulty-backend.js';
import { MemoryBackend } from '../../storage/fake/memory-backend.js';
import type { ListPage, ObjectMeta } from '../../storage/types.js';
import { counting, type Method } from './counting-backend.js';
import { HeldAnswers } from './held-answers.js';

export const STAT_TTL = 60_000;
export const NEG_TTL = 5_000;
export const LIST_TTL = 30_000;

const notFound = (e: unknown): boolean => isStorageError(e, 'not-found');

/** The decorator over the in-memory fake, counted (what reached the store), with faults and held answers
 *  in between. `put`/`remove`/`live` work on the fake directly: another client, behind the cache's back. */
export async function setup(
  ttls: {
    stat?: number;
    negative?: number;
    list?: number;
    /** listings fetched ahead */ ahead?: number;
  } = {},
) {
  const clock = new ManualClock();
  const memory = new MemoryBackend({ clock });
  await memory.createBucket('bkt');
  await memory.createBucket('other');
  const held = new HeldAnswers(memory);
  const faulty = new FaultyBackend(held);
  const counted = counting(faulty);
  const backend = {
    faulty,
    held,
    count: (method: Method): number => counted.counts()[method] ?? 0,
    put: (bucket: string, name: string, data = Buffer.from('abc')): Promise<ObjectMeta> =>
      memory.writeObject(bucket, name, data),
    live: (bucket: string, name: string): Promise<ObjectMeta | undefined> =>
      memory.statObject(bucket, name).catch((e: unknown) => {
        if (notFound(e)) return undefined;
        throw e;
      }),
  };
  const content = new ContentCache({ memory: new MemoryBlocks({ maxBytes: 1 << 20 }) });
  const cached = new CachedBackend(counted.backend, {
    metadata: new MetadataCache({ ttlMs: ttls.stat ?? STAT_TTL, maxEntries: 1000, clock }),
    negative: new NameSet({ ttlMs: ttls.negative ?? NEG_TTL, maxEntries: 1000, clock }),
    listings: new ListingCache({ ttlMs: ttls.list ?? LIST_TTL, maxEntries: 10_000, clock }),
    content,
    ...(ttls.ahead ? { ahead: { window: ttls.ahead, clock } } : {}),
  });
  return { clock, backend, cached, content };
}

export async function isMissing(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return false;
  } catch (e) {
    return notFound(e);
  }
}

export async function collect(pages: AsyncIterable<ListPage>): Promise<ListPage[]> {
  const out: ListPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}
