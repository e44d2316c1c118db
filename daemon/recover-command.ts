// `gcsmount recover list|push|discard`: what the mount kept instead of uploading (failed uploads,
// conflicts, files open when the daemon died) and what a stopped daemon left staged, by object, with
// the reason; `push` uploads kept bytes through a live mount (its credentials, its preconditions), to
// their own name or to --to; `discard` deletes them. It reads the cache dir only: no daemon is asked.

import { copyFile, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import { readJournal, RECORD_SUFFIX, type JournalRecord } from './write/journal.js';
import { discardKept, listKept, type KeptFile } from './write/kept-files.js';

const DEFAULT_CACHE_DIR = '/var/cache/gcsmount';

const USAGE = `usage: gcsmount recover list [--cache-dir DIR]
       gcsmount recover push --mount MOUNTPOINT [--to NAME] [--cache-dir DIR] BUCKET/OBJECT|FILE...
       gcsmount recover discard [--cache-dir DIR] BUCKET/OBJECT|FILE...

Shows, uploads or deletes the bytes the mount kept instead of uploading (cache-dir/*/failed-uploads)
and, for list, files a stopped daemon left staged (uploaded at its next start). list prints one line per
file: BUCKET/OBJECT SIZE STATE AGE WHY FILE. push copies the bytes into a live mount of the bucket (at
their object's name, or at NAME inside the mount) and then deletes them.
`;

interface Args {
  verb: string;
  cacheDir: string;
  mount?: string;
  to?: string;
  targets: string[];
}

function parse(argv: string[]): Args | string {
  const [verb, ...rest] = argv;
  const a: Args = { verb: verb ?? '', cacheDir: DEFAULT_CACHE_DIR, targets: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const [flag, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--cache-dir') a.cacheDir = value();
    else if (flag === '--mount') a.mount = value();
    else if (flag === '--to') a.to = value();
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else a.targets.push(arg);
  }
  if (!['list', 'push', 'discard'].includes(a.verb)) return `unknown action '${a.verb}'`;
  if (a.verb !== 'list' && a.targets.length === 0) return `${a.verb} needs BUCKET/OBJECT or FILE`;
  if (a.verb === 'push' && !a.mount) return 'push needs --mount MOUNTPOINT (a live mount of the bucket)';
  if (a.to !== undefined && a.targets.length !== 1) return '--to takes exactly one file';
  return a;
}

export async function recoverMain(argv: string[], clock: Clock = systemClock): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let a: Args | string;
  try {
    a = parse(argv);
  } catch (err) {
    a = (err as Error).message;
  }
  if (typeof a === 'string') {
    process.stderr.write(`gcsmount recover: ${a}\n\n${USAGE}`);
    return 2;
  }
  const kept = await allKept(a.cacheDir);
  if (a.verb === 'list') {
    const now = clock.now();
    for (const k of kept) process.stdout.write(line(k, now));
    for (const s of await allStaged(a.cacheDir, now)) process.stdout.write(s);
    return 0;
  }
  let status = 0;
  for (const target of a.targets) {
    const matches = kept.filter(
      (k) => k.file === path.resolve(target) || `${k.bucket}/${k.object}` === target,
    );
    if (matches.length === 0) {
      process.stderr.write(`gcsmount recover: nothing kept for ${target} (see: gcsmount recover list)\n`);
      status = 1;
      continue;
    }
    for (const k of matches) {
      if (a.verb === 'push') {
        const dest = await destination(a.mount ?? '', k, a.to);
        try {
          await copyFile(k.file, dest);
        } catch (err) {
          process.stderr.write(
            `gcsmount recover: ${k.bucket}/${k.object} -> ${dest}: ${(err as Error).message}\n`,
          );
          status = 1;
          continue;
        }
        process.stdout.write(`pushed ${k.bucket}/${k.object} -> ${dest}\n`);
      }
      await discardKept(k);
      if (a.verb === 'discard') process.stdout.write(`discarded ${k.bucket}/${k.object} (${k.file})\n`);
    }
  }
  return status;
}

function line(k: KeptFile, now: number): string {
  const t = Date.parse(k.keptAt);
  const age = Number.isNaN(t) ? '?' : `${Math.max(0, Math.round((now - t) / 1000))}s`;
  return `${k.bucket}/${k.object}\t${k.size}\tkept\t${age}\t${k.reason}: ${k.error}\t${k.file}\n`;
}

async function mountDirs(cacheDir: string): Promise<string[]> {
  try {
    // One folder per mount; the cache dir also holds other things (a detached daemon's log file).
    const entries = await readdir(cacheDir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => path.join(cacheDir, e.name));
  } catch {
    return [];
  }
}

async function allKept(cacheDir: string): Promise<KeptFile[]> {
  const out: KeptFile[] = [];
  for (const dir of await mountDirs(cacheDir))
    out.push(...(await listKept(path.join(dir, 'failed-uploads'))));
  return out;
}

/** Staged files with their journal state (a live daemon's, or a stopped one's, settled at its next start). */
async function allStaged(cacheDir: string, now: number): Promise<string[]> {
  const out: string[] = [];
  for (const dir of await mountDirs(cacheDir)) {
    const staging = path.join(dir, 'staging');
    let names: string[];
    try {
      names = await readdir(staging);
    } catch {
      continue;
    }
    for (const n of names.filter((x) => !x.includes(RECORD_SUFFIX))) {
      const file = path.join(staging, n);
      const r = await readJournal(file);
      const size = (await stat(file).catch(() => ({ size: -1 }))).size;
      const age = r ? `${Math.round((now - Date.parse(r.updatedAt)) / 1000)}s` : '?';
      const object = r ? `${r.bucket}/${r.object}` : `?/${n}`;
      out.push(`${object}\t${size}\tstaged:${r?.state ?? 'no-record'}\t${age}\t${why(r)}\t${file}\n`);
    }
  }
  return out;
}

/** A resumable upload the next start resumes says how far the store had it. */
function why(r: JournalRecord | undefined): string {
  if (r?.session === undefined || r.persisted === undefined) return 'pending';
  return `pending, resumes at ${r.persisted} of ${r.size} bytes`;
}

/** Where in the mount the bytes go: --to (inside the mount), else the object's own name. */
async function destination(mount: string, k: KeptFile, to?: string): Promise<string> {
  if (to !== undefined) return path.join(mount, to.replace(/^\/+/, ''));
  return path.join(mount, ...((await isProjectMount(mount)) ? [k.bucket] : []), k.object);
}

async function isProjectMount(mount: string): Promise<boolean> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  const at = path.resolve(mount);
  for (const l of mounts.split('\n')) {
    const [fsname, where] = l.split(' ');
    if (where === at) return fsname === '_' || fsname === 'gcsmount:_';
  }
  return false;
}
