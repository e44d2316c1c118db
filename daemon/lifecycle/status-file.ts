// The daemon's state as a small JSON file next to its pid file (`<runtime dir>/<id>.status.json`), so
// `gcsmount status` and `gcsmount unmount` (progress while a stop drains uploads) can read it without a
// socket or a scrape of the metrics port. The daemon rewrites it every second (write to a temp name, then
// rename: a reader never sees half a file); what goes into it is gathered by the caller (snapshot()).

import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { runtimePath } from './pid-file.js';

export interface MountStatus {
  pid: number;
  bucket: string;
  mountpoint: string;
  startedAt: string;
  updatedAt: string;
  state: 'serving' | 'draining' | 'unmounting';
  uploads: {
    pending: number;
    bytes: number;
    objects: string[];
    /** The upload queue (write/upload-queue.ts): waiting and running now, totals since the start. */
    queue?: {
      queued: number;
      uploading: number;
      uploadedFiles: number;
      uploadedBytes: number;
      failures: number;
      retries: number;
    };
  };
  cache: { memoryBytes: number; diskBytes?: number; hits: number; misses: number };
  errors: { ops: number; last?: { op: string; errno: string; at: string }; keptUploads: number };
  keptDir: string;
  logs: string;
}

/** At most this many pending object names go into the file (the counts are always complete). */
export const LISTED_UPLOADS = 10;

export interface StatusPublisher {
  /** Writes a fresh snapshot now (e.g. when the state changes). */
  publish(): Promise<void>;
  /** Stops the timer and removes the file. */
  close(): Promise<void>;
}

export async function publishStatus(
  mountpoint: string,
  snapshot: () => Promise<MountStatus>,
  everyMs = 1000,
): Promise<StatusPublisher> {
  const file = await runtimePath(mountpoint, '.status.json');
  let writing: Promise<void> = Promise.resolve();
  let closed = false;
  const publish = (): Promise<void> => {
    // One write at a time: a slow disk must not pile up writes, and rename order must follow time order.
    writing = writing.then(async () => {
      if (closed) return;
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, JSON.stringify(await snapshot(), null, 1) + '\n');
        await rename(tmp, file);
      } catch {
        /* a status file is a convenience: never let it disturb serving */
      }
    });
    return writing;
  };
  const timer = setInterval(() => void publish(), everyMs);
  timer.unref();
  await publish();
  return {
    publish,
    close: async () => {
      clearInterval(timer);
      await writing;
      closed = true;
      await rm(file, { force: true });
    },
  };
}

export async function readStatus(mountpoint: string): Promise<MountStatus | undefined> {
  try {
    return JSON.parse(await readFile(await runtimePath(mountpoint, '.status.json'), 'utf8')) as MountStatus;
  } catch {
    return undefined;
  }
}

/** 120 MiB, 3.5 KiB, 12 B: binary units, as df -h shows them. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "3 uploads (120 MiB)". */
export function describeUploads(u: MountStatus['uploads']): string {
  return `${u.pending} upload${u.pending === 1 ? '' : 's'} (${formatBytes(u.bytes)})`;
}
