// POSIX attributes kept in object metadata under the keys gsutil uses (goog-reserved-posix-mode/uid/gid,
// goog-reserved-file-mtime), so that gsutil rsync -P, gcsfuse and this mount agree on them. Symlinks keep
// their target in `gcsfuse_symlink_target`, as gcsfuse does, so links made by either mount read in both.
// Shared by the filesystem core (daemon/fs) and the uploads of the write path (daemon/write).

export const MODE_KEY = 'goog-reserved-posix-mode';
export const UID_KEY = 'goog-reserved-posix-uid';
export const GID_KEY = 'goog-reserved-posix-gid';
export const MTIME_KEY = 'goog-reserved-file-mtime';
export const SYMLINK_KEY = 'gcsfuse_symlink_target';

export interface PosixOverrides {
  /** Permission bits only (0o7777). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch. */
  mtime?: number;
}

const int = (v: string | undefined, radix: number): number | undefined => {
  if (v === undefined || v.trim() === '') return undefined;
  const n = parseInt(v, radix);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

/** Reads the overrides; malformed values are ignored (the mount's defaults apply), never fatal. */
export function readPosix(metadata: Readonly<Record<string, string>>): PosixOverrides {
  const out: PosixOverrides = {};
  const mode = int(metadata[MODE_KEY], 8);
  if (mode !== undefined) out.mode = mode & 0o7777;
  const uid = int(metadata[UID_KEY], 10);
  if (uid !== undefined) out.uid = uid;
  const gid = int(metadata[GID_KEY], 10);
  if (gid !== undefined) out.gid = gid;
  const mtime = int(metadata[MTIME_KEY], 10);
  if (mtime !== undefined) out.mtime = mtime;
  return out;
}

/** Metadata with the overrides written in; other keys are kept. */
export function writePosix(
  metadata: Readonly<Record<string, string>>,
  p: PosixOverrides,
): Record<string, string> {
  const out = { ...metadata };
  if (p.mode !== undefined) out[MODE_KEY] = (p.mode & 0o7777).toString(8);
  if (p.uid !== undefined) out[UID_KEY] = String(p.uid);
  if (p.gid !== undefined) out[GID_KEY] = String(p.gid);
  if (p.mtime !== undefined) out[MTIME_KEY] = String(Math.floor(p.mtime));
  return out;
}
