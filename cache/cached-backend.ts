// A StorageBackend decorator that answers stat and directory listings from the metadata caches and keeps
// them coherent with every mutation that passes through it. It owns the policy (what is cached, what each
// operation invalidates); the caches only store. It does not see changes made by other clients: those show
// up when entries expire (TTL), which is the whole trade-off of a metadata cache.
// Rules: a mutation that returns metadata writes it into the stat cache; any other outcome (including
// failure, which may have happened server-side) invalidates. Only directory-shaped listings (delimiter '/',
// prefix '' or ending in '/', no startAfter) are cached, or fetched ahead of a walk (listing-ahead.ts);
// they clear negative entries and drop stat entries they show to be stale, but fill none (a listing lacks
// a stat's content type and metadata). Returned metadata is read-only (cache hits are frozen objects).
// Concurrent stats of one name share one HEAD.

import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type {
  CallOptions,
  ComposeSource,
  CopyOptions,
  CreateBucketOptions,
  DeleteOptions,
  ObjectReadStream,
  ReadOptions,
  StorageBackend,
  WriteSource,
  WriteOptions,
} from '../storage/backend.js';
import { cachedNotFound, checkAborted, isStorageError } from '../storage/errors.js';
import { ForwardingBackend } from '../storage/forwarding-backend.js';
import type {
  Acl,
  AclTarget,
  CannedAcl,
  Generation,
  ListOptions,
  ListPage,
  ObjectMeta,
  Preconditions,
  WritableMetadata,
} from '../storage/types.js';
import type { ContentCache } from './content-cache.js';
import { FetchGuard, type Ticket } from './fetch-guard.js';
import { ListingAhead } from './listing-ahead.js';
import { listingsShowing, type ListingCache } from './listing-cache.js';
import type { MetadataCache } from './metadata-cache.js';
import type { NameSet } from './name-set.js';
import { MAX_PAGE_SIZE, directoryOf, pagesFrom, pagesOf } from './listing-pages.js';
import { bucketKeyPrefix, entryKey } from './ttl-map.js';

export interface CachedBackendCaches {
  metadata: MetadataCache;
  /** Names known not to exist (name-set.ts), with their own short TTL. */
  negative: NameSet;
  listings: ListingCache;
  /** When given, blocks of objects the mount overwrites or deletes are dropped (to free space: generations
   *  already keep them from being served). */
  content?: ContentCache;
  /** Directory listings fetched ahead of a walk (listing-ahead.ts): at most `window` (none: off). */
  ahead?: { window: number; clock: Clock };
  logger?: Logger;
}

type ListRequest = ListOptions & CallOptions & { pageToken?: string };

export class CachedBackend extends ForwardingBackend {
  readonly metadata: MetadataCache;
  readonly negative: NameSet;
  readonly listings: ListingCache;
  readonly #content: ContentCache | undefined;
  readonly #logger: Logger | undefined;
  readonly #stats = new FetchGuard();
  readonly #lists = new FetchGuard();
  /** HEADs in flight without an abort signal, which a concurrent stat of the same name joins. */
  readonly #statFlights = new Map<string, { ticket: Ticket; meta: Promise<ObjectMeta> }>();
  readonly #ahead: ListingAhead | undefined;

  constructor(backend: StorageBackend, caches: CachedBackendCaches) {
    super(backend);
    this.metadata = caches.metadata;
    this.negative = caches.negative;
    this.listings = caches.listings;
    this.#content = caches.content;
    this.#logger = caches.logger;
    const ahead = caches.ahead;
    if (ahead && ahead.window > 0)
      this.#ahead = new ListingAhead({
        ...ahead,
        fetch: (bucket, dir) => this.#fetchAhead(bucket, dir),
        known: (bucket, dir) => this.listings.get(bucket, dir) !== undefined,
      });
  }

  /** Forgets all metadata (SIGHUP). Content blocks stay: generations keep them correct. */
  dropAll(): void {
    this.#stats.invalidateAll();
    this.#lists.invalidateAll();
    this.metadata.clear();
    this.negative.clear();
    this.listings.clear();
    this.#ahead?.clear();
  }

  // --- buckets (listBuckets and headBucket pass through: nothing about buckets is cached) ---

  override async createBucket(name: string, options?: CreateBucketOptions): Promise<void> {
    try {
      await this.inner.createBucket(name, options);
    } finally {
      this.#forgetBucket(name);
    }
  }

  override async deleteBucket(name: string, options?: CallOptions): Promise<void> {
    try {
      await this.inner.deleteBucket(name, options);
    } finally {
      this.#forgetBucket(name);
    }
  }

  // --- reads (getAcl passes through: ACLs are not cached) ---

  override async statObject(
    bucket: string,
    name: string,
    options?: CallOptions & { generation?: Generation },
  ): Promise<ObjectMeta> {
    if (options?.generation !== undefined) return this.inner.statObject(bucket, name, options);
    // An answer from the caches honours an aborted signal as a request would (storage/backend.ts).
    checkAborted(options?.signal);
    if (this.negative.has(bucket, name)) throw cachedNotFound(bucket, name);
    const cached = this.metadata.getObject(bucket, name);
    if (cached) return cached;
    // A directory's marker whose listing is being fetched ahead: that listing says whether it exists.
    if (this.#ahead && name.endsWith('/') && (await this.#ahead.peek(bucket, name)) !== undefined) {
      if (this.negative.has(bucket, name)) throw cachedNotFound(bucket, name);
    }
    const key = entryKey(bucket, name);
    // A HEAD of this name is in flight (readdir's prefetch, or a concurrent lookup) and no mutation
    // overtook it: its answer is as fresh as a new one would be.
    const flight = this.#statFlights.get(key);
    if (flight && this.#stats.valid(flight.ticket) && options?.signal === undefined) return flight.meta;
    const ticket = this.#stats.begin(key);
    const meta = this.#fetchStat(bucket, name, ticket, options);
    if (options?.signal !== undefined) return meta;
    this.#statFlights.set(key, { ticket, meta });
    try {
      return await meta;
    } finally {
      if (this.#statFlights.get(key)?.ticket === ticket) this.#statFlights.delete(key);
    }
  }

  async #fetchStat(bucket: string, name: string, ticket: Ticket, options?: CallOptions): Promise<ObjectMeta> {
    let meta: ObjectMeta;
    try {
      meta = await this.inner.statObject(bucket, name, options);
    } catch (e) {
      if (this.#stats.end(ticket) && isStorageError(e, 'not-found')) {
        this.metadata.delete(bucket, name);
        this.negative.add(bucket, name);
      }
      throw e;
    }
    if (this.#stats.end(ticket)) this.metadata.setObject(meta);
    return meta;
  }

  override async readObject(bucket: string, name: string, options?: ReadOptions): Promise<ObjectReadStream> {
    try {
      const stream = await this.inner.readObject(bucket, name, options);
      // Bytes of a generation other than the cached one: someone overwrote the object; stop trusting it.
      const cached = this.metadata.getObject(bucket, name);
      if (options?.generation === undefined && cached && cached.generation !== stream.generation) {
        this.#invalidate(bucket, name);
      }
      return stream;
    } catch (e) {
      // Not found: the object is gone, or (asked by generation) the cached generation is no longer live.
      const cached = this.metadata.getObject(bucket, name);
      const stale = options?.generation === undefined || cached?.generation === options.generation;
      if (stale && isStorageError(e, 'not-found')) this.#invalidate(bucket, name);
      throw e;
    }
  }

  override async listPage(bucket: string, options: ListRequest = {}): Promise<ListPage> {
    const dir = directoryOf(options);
    if (dir === undefined) return this.inner.listPage(bucket, options);
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (options.pageToken === undefined) {
      checkAborted(options.signal);
      const cached = this.listings.get(bucket, dir);
      if (cached && cached.objects.length + cached.prefixes.length <= pageSize) {
        return { objects: [...cached.objects], prefixes: [...cached.prefixes] };
      }
    }
    const ticket = this.#lists.begin(entryKey(bucket, dir));
    try {
      const page = await this.inner.listPage(bucket, options);
      this.#recordPage(bucket, page, ticket, options.pageToken === undefined ? dir : undefined);
      if (options.pageToken === undefined && page.nextPageToken === undefined && this.#lists.valid(ticket)) {
        this.listings.set(bucket, dir, page);
      }
      return page;
    } finally {
      this.#lists.end(ticket);
    }
  }

  override async *list(bucket: string, options: ListOptions & CallOptions = {}): AsyncIterable<ListPage> {
    const dir = directoryOf(options);
    if (dir === undefined) {
      yield* this.inner.list(bucket, options);
      return;
    }
    const cached = this.listings.get(bucket, dir);
    if (cached) {
      this.#ahead?.listed(bucket, dir, cached.prefixes);
      for (const page of pagesOf(cached, options.pageSize ?? MAX_PAGE_SIZE)) {
        checkAborted(options.signal);
        yield page;
      }
      return;
    }
    const early = options.pageSize === undefined ? await this.#ahead?.take(bucket, dir) : undefined;
    if (early) {
      checkAborted(options.signal);
      this.#ahead?.listed(bucket, dir, early.prefixes, true);
      if (early.nextPageToken === undefined) this.listings.set(bucket, dir, early);
      // A long listing goes on from where the page fetched ahead stopped (not cached: no ticket spans it).
      yield* pagesFrom(early, (pageToken) => this.inner.listPage(bucket, { ...options, pageToken }));
      return;
    }
    this.#ahead?.listing(bucket, dir);
    const ticket = this.#lists.begin(entryKey(bucket, dir));
    try {
      const objects: ListPage['objects'] = [];
      const prefixes: string[] = [];
      for await (const page of this.inner.list(bucket, options)) {
        this.#recordPage(bucket, page, ticket);
        objects.push(...page.objects);
        prefixes.push(...page.prefixes);
        yield page;
      }
      if (this.#lists.valid(ticket)) {
        this.listings.set(bucket, dir, { objects, prefixes });
        this.#ahead?.listed(bucket, dir, prefixes);
      }
    } finally {
      this.#lists.end(ticket);
    }
  }

  /** A first page fetched ahead of a walk, recorded as readdir's own listing would be. */
  async #fetchAhead(bucket: string, dir: string): Promise<ListPage> {
    const ticket = this.#lists.begin(entryKey(bucket, dir));
    try {
      const page = await this.inner.listPage(bucket, { prefix: dir, delimiter: '/' });
      this.#recordPage(bucket, page, ticket, dir);
      return page;
    } finally {
      this.#lists.end(ticket);
    }
  }

  // --- object mutations ---

  override writeObject(
    bucket: string,
    name: string,
    source: WriteSource,
    options?: WriteOptions,
  ): Promise<ObjectMeta> {
    return this.#mutate(bucket, name, () => this.inner.writeObject(bucket, name, source, options));
  }

  override copyObject(
    source: { bucket: string; name: string },
    destination: { bucket: string; name: string },
    options?: CopyOptions,
  ): Promise<ObjectMeta> {
    return this.#mutate(destination.bucket, destination.name, () =>
      this.inner.copyObject(source, destination, options),
    );
  }

  override composeObject(
    bucket: string,
    destination: string,
    sources: ComposeSource[],
    options?: WritableMetadata & Preconditions & CallOptions,
  ): Promise<ObjectMeta> {
    return this.#mutate(bucket, destination, () =>
      this.inner.composeObject(bucket, destination, sources, options),
    );
  }

  override updateObjectMetadata(
    bucket: string,
    name: string,
    metadata: WritableMetadata,
    options?: Preconditions & CallOptions,
  ): Promise<ObjectMeta> {
    return this.#mutate(bucket, name, () => this.inner.updateObjectMetadata(bucket, name, metadata, options));
  }

  override async deleteObject(bucket: string, name: string, options?: DeleteOptions): Promise<void> {
    try {
      await this.inner.deleteObject(bucket, name, options);
    } catch (e) {
      this.#invalidate(bucket, name);
      // Deleting what is not there proves it is not there (unless a specific generation was asked for).
      if (isStorageError(e, 'not-found') && options?.generation === undefined)
        this.negative.add(bucket, name);
      throw e;
    }
    this.#invalidate(bucket, name);
    // A delete of one generation may leave the live one (if it was not the live one); only a plain delete
    // proves the name is gone.
    if (options?.generation === undefined) this.negative.add(bucket, name);
    await this.#dropContent(bucket, name);
  }

  override async setAcl(
    target: AclTarget,
    acl: Acl | CannedAcl,
    options?: Preconditions & CallOptions,
  ): Promise<void> {
    try {
      await this.inner.setAcl(target, acl, options);
    } finally {
      // Only object ACLs live in object metadata (the metageneration moves); bucket ACLs touch no entry.
      if (target.kind === 'object') this.#invalidate(target.bucket, target.name);
    }
  }

  // --- bookkeeping ---

  /** Runs a mutation that returns the new metadata of `bucket/name` and keeps every cache coherent. */
  async #mutate(bucket: string, name: string, call: () => Promise<ObjectMeta>): Promise<ObjectMeta> {
    let meta: ObjectMeta;
    try {
      meta = await call();
    } catch (e) {
      // The mutation may still have happened (timeout) or our view was wrong (412): trust nothing.
      this.#invalidate(bucket, name);
      throw e;
    }
    this.#invalidate(bucket, name);
    this.metadata.setObject(meta);
    await this.#dropContent(bucket, name);
    return meta;
  }

  /** Forgets everything known about `bucket/name` and every listing that shows it. */
  #invalidate(bucket: string, name: string): void {
    this.#stats.invalidate(entryKey(bucket, name));
    for (const dir of listingsShowing(name)) this.#lists.invalidate(entryKey(bucket, dir));
    this.metadata.delete(bucket, name);
    this.negative.delete(bucket, name);
    this.listings.invalidatePath(bucket, name);
    this.#ahead?.drop(bucket, listingsShowing(name));
  }

  #forgetBucket(bucket: string): void {
    this.#stats.invalidatePrefix(bucketKeyPrefix(bucket));
    this.#lists.invalidatePrefix(bucketKeyPrefix(bucket));
    this.metadata.deleteBucket(bucket);
    this.negative.deleteBucket(bucket);
    this.listings.deleteBucket(bucket);
    this.#ahead?.dropBucket(bucket);
  }

  /** What a directory listing page proves: its names exist, and a newer version than the cached one makes
   *  that entry stale. The first page of directory `first` also shows whether its marker exists: the
   *  marker sorts before every other name under it, so a first page that does not start with it proves
   *  there is none (a lookup then needs no HEAD of it). (A listing lacks what a stat needs, so it fills
   *  no stat entry.) */
  #recordPage(bucket: string, page: ListPage, ticket: Ticket, first?: string): void {
    if (!this.#lists.valid(ticket)) return;
    for (const listed of page.objects) {
      this.metadata.dropIfOlder(bucket, listed);
      this.negative.delete(bucket, listed.name);
    }
    if (first !== undefined && first !== '' && page.objects[0]?.name !== first)
      this.negative.add(bucket, first);
  }

  async #dropContent(bucket: string, name: string): Promise<void> {
    try {
      await this.#content?.invalidateObject(bucket, name);
    } catch (e) {
      // Generations keep stale blocks from being served; failing to free them is not the caller's problem.
      this.#logger?.warn('content cache invalidation failed', { bucket, object: name, error: String(e) });
    }
  }
}
