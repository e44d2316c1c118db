// The journal records of pending objects (journal.ts is the format): the record of an entry's staging
// file says what the entry is now. Writes of one record run one at a time, in the order they were asked
// for (a streamed upload's confirmed chunk and a close may journal at once; two writers of one temp file
// would lose one rename), and a write that would say exactly what the record says already is skipped
// (a close journals `closing` before it waits for a queue slot and again as its upload starts, to catch a
// chmod or utimens made meanwhile: the second write happens only when one was). Once a staging file is
// forgotten (its entry ended: discarded, or kept with its own record), nothing more is written for it;
// once recycled (a spare slot: spare-slots.ts), only the next entry that writes it does.

import path from 'node:path';
import type { PendingObject } from './pending-object.js';
import { recordPath, type JournalRecord, type JournalState } from './journal.js';
import { closedCrc } from './closed-bytes.js';
import { RecordFile } from './record-file.js';
import { syncDir, type StagingFile } from './staging-file.js';
import { sameWritable, uploadPlan } from './write-back.js';

interface RecordState {
  /** The record on disk, kept open between writes. */
  file: RecordFile;
  /** The writes asked for so far, in order. */
  chain: Promise<void>;
  /** What the record on disk says, `updatedAt` aside, and whether that was made durable. */
  written?: string | undefined;
  durable?: boolean;
  /** The state of the last write asked for (written, or waiting for the one before). */
  asked?: JournalState;
  /** A write put off (later()). */
  later?: NodeJS.Timeout | undefined;
  forgotten?: boolean;
  /** The entry whose record this is: the first to write it, again after a recycle() (a spare slot's next
   *  file). A late write of an entry that ended (an upload's callback) never lands in another's record. */
  owner?: PendingObject | undefined;
}

/** How long later() waits. */
const LATER_MS = 1000;

export class EntryJournal {
  readonly #records = new WeakMap<StagingFile, RecordState>();
  readonly #now: () => Date;
  #writes = 0;

  constructor(now: () => Date) {
    this.#now = now;
  }

  /** Records written so far (tests count them). */
  get writes(): number {
    return this.#writes;
  }

  /** Writes the record of the entry's staging file (nothing to record before it has one); `durable`
   *  fsyncs the record and its directory. `after`: the data's fsync, which the new record waits for
   *  before it can be found (record-file.ts); a skipped write does not wait for it: the caller does. */
  write(
    entry: PendingObject,
    state: JournalState,
    staging = entry.staging,
    durable = false,
    after?: Promise<unknown>,
  ): Promise<void> {
    if (!staging) return Promise.resolve();
    const r = this.#state(staging);
    if (r.owner === undefined && !entry.ended) r.owner = entry;
    if (r.owner !== entry) return Promise.resolve();
    clearTimeout(r.later);
    r.later = undefined;
    r.asked = state;
    const { updatedAt, ...content } = this.#record(entry, state, staging);
    const done = r.chain.then(async () => {
      if (r.forgotten || r.owner !== entry) return;
      const text = JSON.stringify(content);
      if (text !== r.written || (durable && r.durable !== true)) {
        this.#writes++;
        r.written = undefined; // a failed write leaves the record unknown
        await r.file.write(JSON.stringify({ ...content, updatedAt }), durable, after);
        // The rename of the record (and the staged file's name) survive a power cut only once the
        // directory is.
        if (durable) await syncDir(path.dirname(staging.path));
        r.written = text;
        r.durable = durable;
      }
      entry.journaled = state;
    });
    r.chain = done.catch(() => undefined);
    return done;
  }

  /** Writes the record in `state` a moment later, unless another write or forget() comes first (the
   *  `uploaded` record after a close, whose release usually follows at once and removes the record). */
  later(entry: PendingObject, state: JournalState): void {
    const staging = entry.staging;
    if (!staging) return;
    const r = this.#state(staging);
    clearTimeout(r.later);
    r.later = setTimeout(() => {
      r.later = undefined;
      this.write(entry, state, staging).catch(() => undefined);
    }, LATER_MS);
    r.later.unref();
  }

  /** Writes the entry's record again in the state last asked for (the entry changed, its state did
   *  not: a streamed session confirmed more bytes). */
  rewrite(entry: PendingObject, durable = false): Promise<void> {
    const staging = entry.staging;
    if (!staging) return Promise.resolve();
    return this.write(entry, this.#state(staging).asked ?? entry.journaled ?? 'open', staging, durable);
  }

  /** No more writes for this staging file; resolves once those under way are done (a failure is the
   *  caller's who asked). The record stays: the caller removes it after the staged file. */
  async forget(staging: StagingFile): Promise<void> {
    const r = this.#state(staging);
    r.forgotten = true;
    clearTimeout(r.later);
    await r.chain;
    await r.file.close();
  }

  /** The entry of this staging file ended and its slot is kept for another (spare-slots.ts): once the
   *  writes under way are done, the record takes the next entry's first write, in place. False (nothing
   *  changed) when that write could not be in place (a record made durable, or none on disk). */
  async recycle(staging: StagingFile): Promise<boolean> {
    const r = this.#records.get(staging);
    if (!r || r.forgotten) return false;
    clearTimeout(r.later);
    r.later = undefined;
    await r.chain;
    if (!r.file.inPlace) return false;
    r.written = undefined;
    r.durable = false;
    delete r.asked;
    r.owner = undefined;
    return true;
  }

  #state(staging: StagingFile): RecordState {
    let r = this.#records.get(staging);
    if (!r) {
      r = { chain: Promise.resolve(), file: new RecordFile(recordPath(staging.path), staging.madeHere) };
      this.#records.set(staging, r);
    }
    return r;
  }

  #record(entry: PendingObject, state: JournalState, staging: StagingFile): JournalRecord {
    const plan = uploadPlan(entry);
    const s = entry.session;
    const session = s && (s.streaming === true || s.version === entry.version) ? s : undefined;
    const crc = closedCrc(entry);
    return {
      v: 1,
      bucket: plan.bucket,
      object: plan.key,
      baseGeneration: plan.ifGenerationMatch,
      writable: plan.writable,
      state,
      ...(state === 'uploaded' ? { uploadedGeneration: entry.base } : {}),
      ...(session ? { session: session.url, persisted: session.persisted } : {}),
      ...(session?.writable && !sameWritable(session.writable, plan.writable)
        ? { sessionWritable: session.writable }
        : {}),
      size: staging.size,
      ...(state === 'closing' && crc !== undefined ? { crc32c: crc } : {}),
      updatedAt: this.#now().toISOString(),
    };
  }
}
