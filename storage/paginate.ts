// "Every page of a listing" in one place: each StorageBackend's `list` is this loop over its own `listPage`,
// fetching lazily (a caller that stops early sends no more requests). A page token that comes back
// unchanged would loop forever, so it fails as 'unavailable' instead.

import type { CallOptions } from './backend.js';
import { StorageError } from './errors.js';
import type { ListOptions, ListPage } from './types.js';

export type PageFetcher = (options: ListOptions & CallOptions & { pageToken?: string }) => Promise<ListPage>;

export async function* paginate(
  bucket: string,
  options: ListOptions & CallOptions,
  fetchPage: PageFetcher,
): AsyncGenerator<ListPage> {
  let pageToken: string | undefined;
  do {
    const page = await fetchPage(pageToken === undefined ? options : { ...options, pageToken });
    if (page.nextPageToken !== undefined && page.nextPageToken === pageToken) {
      throw new StorageError('unavailable', 'listing did not advance (same continuation token twice)', {
        bucket,
      });
    }
    pageToken = page.nextPageToken;
    yield page;
  } while (pageToken !== undefined);
}
