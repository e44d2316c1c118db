// Small helpers of `npm run bench` (bench/run.ts): shell commands, timing, mount waits, peak RSS, and the
// sizes of a run. Quick by default (a minute or two); BENCH_FULL=1 (or `npm run bench -- --full`) runs
// the sizes of issue 11; each size can also be set on its own.

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const FULL = process.env.BENCH_FULL === '1' || process.argv.includes('--full');
const env = (name: string, quick: number, full: number): number =>
  Number(process.env[name] ?? (FULL ? full : quick));

export const SIZES = {
  full: FULL,
  /** P1 cold sequential read and P2 write size (MiB), and the curl rows. */
  readMib: env('BENCH_READ_MIB', 64, 1024),
  /** P3 objects in one directory. */
  lsN: env('BENCH_LS_N', 1000, 10000),
  /** P3 find: fan-out of the three-level tree (one object in each leaf directory). */
  findFanout: env('BENCH_FIND_FANOUT', 4, 9),
  /** P4 4 KiB files. */
  smallN: env('BENCH_SMALL_N', 200, 1000),
  /** P5: MiB read in all (four objects of a quarter each), with a 256 MiB memory cache. */
  p5Mib: env('BENCH_P5_MIB', 256, 4096),
  /** P1r seconds per fio job (skipped without fio). */
  fioS: env('BENCH_FIO_S', 5, 10),
};

/** Which rows to run: BENCH_PEERS=gcsmount,s3fs (names as in the table, case-insensitive prefix). */
export function wanted(name: string): boolean {
  const only = process.env.BENCH_PEERS;
  if (!only) return true;
  return only.split(',').some((p) => name.toLowerCase().startsWith(p.trim().toLowerCase()));
}

export function sh(cmd: string, e: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('bash', ['-c', cmd], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd}: ${code} ${err}`))));
  });
}

export async function timed(cmd: string): Promise<number> {
  const t0 = performance.now();
  await sh(`timeout 900 bash -c '${cmd.replace(/'/g, "'\\''")}'`);
  const s = (performance.now() - t0) / 1000;
  process.stderr.write(`  ${s.toFixed(2)}s  ${cmd.slice(0, 100)}\n`);
  return s;
}

export const has = (tool: string): Promise<boolean> =>
  sh(`command -v ${tool}`).then(
    () => true,
    () => false,
  );

export const dropCaches = (): Promise<unknown> =>
  sh('sync; echo 3 > /proc/sys/vm/drop_caches').catch(() => undefined);

export async function waitMounted(dir: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await readFile('/proc/mounts', 'utf8')).includes(` ${dir} `)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not mounted: ${dir}`);
}

/** The process's peak resident set (VmHWM), MiB. */
export async function peakRss(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

export const mibps = (bytes: number, s: number): string => `${(bytes / 2 ** 20 / s).toFixed(0)} MiB/s`;
export const secs = (s: number): string => `${s.toFixed(2)} s`;

/** Runs `jobs` with at most `n` at a time. */
export async function bounded(n: number, count: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < count) await job(next++);
    }),
  );
}
