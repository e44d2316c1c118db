// Listing requests against cached directory listings: which requests are directory-shaped (and so may be
// answered from the listing cache), and how a cached listing is cut back into pages. Pure; the cache policy
// lives in cached-backend.ts.

import type { ListOptions, ListPage } from '../storage/types.js';
import { DELIMITER, isDirPrefix, type DirListing } from './listing-cache.js';

/** The XML API's largest page; also the most a replayed page holds. */
export const MAX_PAGE_SIZE = 1000;

/** The directory a listing request reads, when it is directory-shaped (and so cacheable). */
export function directoryOf(options: ListOptions): string | undefined {
  const prefix = options.prefix ?? '';
  if (options.delimiter !== DELIMITER || options.startAfter !== undefined || !isDirPrefix(prefix)) {
    return undefined;
  }
  return prefix;
}

/** A cached listing cut into pages in name order, objects and prefixes merged as the service does. */
export function* pagesOf(listing: DirListing, pageSize: number): Generator<ListPage> {
  const { objects, prefixes } = listing;
  const merged = [
    ...objects.map((o) => ({ name: o.name, object: o })),
    ...prefixes.map((p) => ({ name: p, object: undefined })),
  ]
    .map((e) => ({ ...e, bytes: Buffer.from(e.name) }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const size = Math.max(1, Math.min(pageSize, MAX_PAGE_SIZE));
  let i = 0;
  do {
    const chunk = merged.slice(i, i + size);
    i += size;
    const page: ListPage = { objects: [], prefixes: [] };
    for (const entry of chunk) {
      if (entry.object) page.objects.push(entry.object);
      else page.prefixes.push(entry.name);
    }
    // The iterator continues by itself; the token is the page's last name, which is what the XML API's
    // marker is, so a consumer resuming through listPage gets the rest from the backend.
    if (i < merged.length) page.nextPageToken = chunk.at(-1)?.name ?? '';
    yield page;
  } while (i < merged.length);
}

/** A listing's first page, then the pages after it, fetched one by one from its continuation token. */
export async function* pagesFrom(
  first: ListPage,
  next: (pageToken: string) => Promise<ListPage>,
): AsyncGenerator<ListPage> {
  yield first;
  for (let token = first.nextPageToken; token !== undefined;) {
    const page = await next(token);
    yield page;
    token = page.nextPageToken;
  }
}
