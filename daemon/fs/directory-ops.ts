// Directories: listing (the bucket's listing merged with files being written here), mkdir (a marker
// object `key/` holding the POSIX attributes) and rmdir (only when empty, conditioned on the marker that
// was looked up). At the root of a project mount, directories are buckets.

import type { AttrPrefetch } from './attr-prefetch.js';
import type { FsContext } from './context.js';
import { FsError } from '../posix/errors.js';
import { dirAttr, fileAttr, nodeAttr, type Attr } from './nodes.js';
import { describe, isShowableName, markerKey } from './paths.js';
import { pendingNode } from './pending-node.js';
import { writePosix } from '../posix/attrs.js';

export interface DirEntry {
  name: string;
  attr: Attr;
}

export class DirectoryOps {
  readonly #c: FsContext;
  readonly #prefetch: AttrPrefetch | undefined;

  /** `prefetch` fetches listed entries' attributes in the background (none: on lookup only). */
  constructor(c: FsContext, prefetch?: AttrPrefetch) {
    this.#c = c;
    this.#prefetch = prefetch;
  }

  async readdir(path: string): Promise<DirEntry[]> {
    const c = this.#c;
    const loc = c.loc(path);
    const node = await c.ns.requireDir(loc);
    const d = c.defaults;
    const entries: DirEntry[] = [
      { name: '.', attr: nodeAttr(d, node) },
      { name: '..', attr: dirAttr(d) },
    ];
    if (loc.kind === 'root') {
      const buckets = await c.backend.listBuckets(c.projectOpts);
      for (const b of buckets)
        entries.push({
          name: b.name,
          attr: nodeAttr(d, { kind: 'bucket', bucket: b.name, created: b.created }),
        });
      return entries;
    }
    const bucket = loc.bucket;
    const prefix = c.ns.prefixOf(loc);
    const dirs = new Set<string>();
    const files = new Map<string, Attr>();
    // The first page's files wait: if it is the only one, until a lookup asks (attr-prefetch.ts).
    let firstFiles: string[] | undefined;
    let pages = 0;
    for await (const page of c.backend.list(bucket, { prefix, delimiter: '/' })) {
      pages++;
      const pageDirs: string[] = [];
      const pageFiles: string[] = [];
      for (const p of page.prefixes) {
        const name = p.slice(prefix.length, -1);
        if (!isShowableName(name) || dirs.has(name)) continue;
        dirs.add(name);
        c.ns.rememberDir(bucket, prefix + name);
        entries.push({ name, attr: dirAttr(d) });
        pageDirs.push(prefix + name);
      }
      for (const o of page.objects) {
        const name = o.name.slice(prefix.length);
        if (!isShowableName(name)) continue;
        files.set(name, fileAttr(d, o));
        if (!dirs.has(name) && !c.writer.find(bucket, o.name)) pageFiles.push(o.name);
      }
      // From the second page on, each page's entries are fetched as the page arrives (attr-prefetch.ts),
      // while the next pages are listed: the kernel asks only after the whole listing. (A file shadowed
      // by a directory on a later page costs one HEAD for nothing.) Directories' markers are fetched at
      // once: every walk looks them up.
      if (pages === 1) {
        firstFiles = pageFiles;
      } else {
        if (firstFiles) this.#prefetch?.files(bucket, firstFiles);
        firstFiles = undefined;
        this.#prefetch?.files(bucket, pageFiles);
      }
      this.#prefetch?.dirs(bucket, pageDirs);
    }
    if (firstFiles) this.#prefetch?.deferFiles(bucket, prefix, firstFiles);
    // Files being written here: their local size and mtime, and new ones the listing cannot show yet.
    for (const e of c.writer.under(bucket, prefix)) {
      const name = e.key.slice(prefix.length);
      if (!name.includes('/') && isShowableName(name)) files.set(name, nodeAttr(d, pendingNode(e)));
    }
    for (const [name, attr] of files) {
      if (dirs.has(name)) continue; // a directory shadows a file
      entries.push({ name, attr });
      // The listing says this name is no prefix: the lstat that ls -l sends next needs no directory probe
      // and finds its attributes fetched or in flight.
      c.ns.rememberFile(bucket, prefix + name);
    }
    return entries;
  }

  async mkdir(path: string, mode: number): Promise<void> {
    const c = this.#c;
    c.writable();
    const loc = c.loc(path);
    if (loc.kind === 'root') throw new FsError('exists', 'the mount root exists');
    if (loc.kind === 'bucket') {
      if (!c.layout.project) throw new FsError('exists', 'the mount root exists');
      await c.backend.createBucket(loc.bucket, c.projectOpts);
      return;
    }
    // The kernel resolved the parent (path walk) before sending mkdir; only the name itself is checked.
    const marker = markerKey(loc.key); // ENAMETOOLONG when `key/` would pass the 1024-byte limit
    if (c.writer.find(loc.bucket, loc.key) || (await c.exists(loc)))
      throw new FsError('exists', `${describe(loc)} exists`);
    c.ns.forgetPath(loc.bucket, loc.key);
    const metadata = writePosix({}, { mode: mode & 0o7777, mtime: c.now().getTime() / 1000 });
    await c.backend.writeObject(loc.bucket, marker, Buffer.alloc(0), {
      ifGenerationMatch: '0',
      metadata,
    });
    // A directory, empty, under directories: its lookups and those of missing names in it cost nothing.
    c.ns.createdDir(loc.bucket, loc.key);
  }

  async rmdir(path: string): Promise<void> {
    const c = this.#c;
    c.writable();
    const loc = c.loc(path);
    if (loc.kind === 'root') throw new FsError('busy', 'cannot remove the mount root');
    if (loc.kind === 'bucket') {
      if (!c.layout.project) throw new FsError('busy', 'cannot remove the mount root');
      await c.backend.deleteBucket(loc.bucket);
      return;
    }
    const node = await c.node(path);
    if (node.kind !== 'dir') throw new FsError('not-dir', `${describe(loc)} is not a directory`);
    const prefix = `${loc.key}/`;
    const page = await c.backend.listPage(loc.bucket, { prefix, delimiter: '/', pageSize: 2 });
    const children = page.objects.filter((o) => o.name !== prefix).length + page.prefixes.length;
    if (children > 0 || c.writer.under(loc.bucket, prefix).length > 0)
      throw new FsError('not-empty', `${describe(loc)} is not empty`);
    c.ns.forgetTree(loc.bucket, loc.key);
    // Conditioned on the marker that was looked up: safe to retry, and never deletes a newer one.
    if (node.marker)
      await c.backend.deleteObject(loc.bucket, prefix, { ifGenerationMatch: node.marker.generation });
    c.ns.forgetTree(loc.bucket, loc.key); // a lookup that raced the delete may have seen the directory
  }
}
