// What the filesystem's operation modules (file-io, directory-ops, name-ops, metadata-ops) share: their
// collaborators and the few path helpers each of them needs. A path asks the writer first, so a file
// being written here is seen as written by every descriptor, stat and listing.

import type { StorageBackend } from '../../storage/backend.js';
import type { Writer } from '../write/writer.js';
import { FsError, toFsError } from '../posix/errors.js';
import type { HandleTable } from './handles.js';
import type { Namespace } from './namespace.js';
import type { Defaults, Node } from './nodes.js';
import { describe, locate, type Layout, type Location } from './paths.js';
import { pendingNode } from './pending-node.js';

export type EntryLocation = Extract<Location, { kind: 'entry' }>;

export interface FsContextParts {
  backend: StorageBackend;
  ns: Namespace;
  writer: Writer;
  handles: HandleTable;
  layout: Layout;
  defaults: Defaults;
  readOnly: boolean;
  /** The project buckets are listed and created in (a project mount). */
  project?: string | undefined;
  /** The clock of local modification times. */
  now: () => Date;
}

export class FsContext {
  readonly backend: StorageBackend;
  readonly ns: Namespace;
  readonly writer: Writer;
  readonly handles: HandleTable;
  readonly layout: Layout;
  readonly defaults: Defaults;
  readonly now: () => Date;
  /** The options of a bucket listing or creation: the project, when one is set. */
  readonly projectOpts: { project?: string };
  readonly #readOnly: boolean;

  constructor(p: FsContextParts) {
    this.backend = p.backend;
    this.ns = p.ns;
    this.writer = p.writer;
    this.handles = p.handles;
    this.layout = p.layout;
    this.defaults = p.defaults;
    this.now = p.now;
    this.projectOpts = p.project === undefined ? {} : { project: p.project };
    this.#readOnly = p.readOnly;
  }

  loc(path: string): Location {
    return locate(this.layout, path);
  }

  /** Throws EROFS on a read-only mount. */
  writable(): void {
    if (this.#readOnly) throw new FsError('read-only', 'mounted read-only');
  }

  /** The node at a path: a file being written here answers from its pending entry, with no lookup. */
  async node(path: string): Promise<Node> {
    return this.nodeAt(this.loc(path));
  }

  /** node() of a path already located. */
  async nodeAt(loc: Location): Promise<Node> {
    if (loc.kind === 'entry') {
      const entry = this.writer.find(loc.bucket, loc.key);
      if (entry) return pendingNode(entry);
    }
    return this.ns.lookup(loc);
  }

  /** The location of a path that must name an object (not the root or a bucket). */
  entry(path: string): EntryLocation {
    const loc = this.loc(path);
    if (loc.kind !== 'entry') throw new FsError('is-dir', `${describe(loc)} is a directory`);
    return loc;
  }

  parent(path: string): Location {
    const parent = path.replace(/\/+$/, '').replace(/\/[^/]*$/, '') || '/';
    return this.loc(parent);
  }

  async exists(loc: Location): Promise<boolean> {
    try {
      await this.ns.lookup(loc);
      return true;
    } catch (err) {
      if (toFsError(err).code === 'not-found') return false;
      throw err;
    }
  }
}
