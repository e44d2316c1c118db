// `npm run bench`: the same workloads through gcsmount, s3fs and rclone mount, next to raw curl and the
// FUSE binding's own ceiling (bench/fuse-ceiling.ts), all against ONE emulator in ONE run on this machine,
// printed as one markdown table (machines here are shared and noisy: absolute numbers mean little, ratios
// within a run do). A peer that is not installed is reported and skipped. BENCH_RECORD=1 appends the table
// with the machine to docs/benchmarks.md. Never part of `npm test`. Quick sizes by default; BENCH_FULL=1
// (or `-- --full`) runs issue 11's (sizes and their variables: bench/tools.ts). BENCH_PEERS=gcsmount,s3fs
// runs only those rows (`gcsmount` includes the `gcsmount --async-uploads` row, P2 and P4 only);
// BENCH_CPU_PROF=DIR writes a CPU profile of each gcsmount daemon there.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import {
  bounded,
  dropCaches,
  has,
  mibps,
  peakRss,
  secs,
  sh,
  SIZES,
  timed,
  waitMounted,
  wanted,
} from './tools.js';

const MIB = SIZES.readMib;
const LS_N = SIZES.lsN;
const SMALL_N = SIZES.smallN;
const FIO_S = SIZES.fioS;
const FAN = SIZES.findFanout;
const P5_PART = Math.max(1, Math.floor(SIZES.p5Mib / 4));
/** BENCH_READS_ONLY=1: only the read workloads (P1, P1r, P5); no listing or write setup or rows. */
const READS_ONLY = process.env.BENCH_READS_ONLY === '1';

const KEY = 'GOOG1EEXAMPLEACCESSID';
const SECRET = 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ';
const root = path.resolve(import.meta.dirname, '..');
const BUCKET = 'bench';

const work = await mkdtemp(path.join(tmpdir(), 'gcsmount-bench-'));
const children: ChildProcess[] = [];
const emu = spawn(path.join(root, 'bin/gcsmount'), ['emulator', '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
children.push(emu);
const url = await new Promise<string>((resolve) =>
  emu.stdout.on('data', (d: Buffer) => resolve(d.toString().trim().replace('listening on ', ''))),
);

/** Puts many small objects with bounded concurrency (fetch, no process per object). */
async function putMany(names: string[], body: Buffer): Promise<void> {
  await bounded(16, names.length, async (i) => {
    const res = await fetch(`${url}/${BUCKET}/${names[i] ?? ''}`, { method: 'PUT', body });
    if (!res.ok) throw new Error(`PUT ${names[i] ?? ''}: ${res.status}`);
    await res.arrayBuffer();
  });
}

const del = (name: string): Promise<unknown> => fetch(`${url}/${BUCKET}/${name}`, { method: 'DELETE' });

async function countKeys(prefix: string): Promise<number> {
  const text = await (await fetch(`${url}/${BUCKET}?prefix=${encodeURIComponent(prefix)}`)).text();
  return text.split('<Key>').length - 1;
}

const machine = `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${(await sh('uname -r')).trim()}, load ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')} at start`;
process.stderr.write(
  `${machine}\npreparing: ${MIB} MiB object, ${LS_N} objects, ${FAN}^3 tree, ${SMALL_N} small files, P5 4 x ${P5_PART} MiB\n`,
);
await sh(`curl -sf -X PUT ${url}/${BUCKET}`);
const src = path.join(work, 'src.bin');
await writeFile(src, randomBytes(MIB * 1024 * 1024));
await sh(`curl -sf -T ${src} ${url}/${BUCKET}/read.bin`);
const small = path.join(work, 'small');
if (!READS_ONLY) {
  await putMany(
    Array.from({ length: LS_N }, (_, i) => `ls/f${String(i).padStart(6, '0')}`),
    Buffer.from('x'),
  );
  // find: a FAN x FAN x FAN tree of implicit directories (as gsutil leaves them), one object per leaf.
  const leaves: string[] = [];
  for (let a = 0; a < FAN; a++)
    for (let b = 0; b < FAN; b++) for (let c = 0; c < FAN; c++) leaves.push(`tree/d${a}/d${b}/d${c}/f`);
  await putMany(leaves, Buffer.from('x'));
  await mkdir(small);
  const four = randomBytes(4096);
  await Promise.all(Array.from({ length: SMALL_N }, (_, i) => writeFile(path.join(small, `f${i}`), four)));
}

type Row = Record<string, string>;
const rows: [string, Row][] = [];
const bytes = MIB * 2 ** 20;

// Raw HTTP: what the emulator itself does.
const curlGet = await timed(`curl -sf -o /dev/null ${url}/${BUCKET}/read.bin`);
const curlPut = await timed(`curl -sf -T ${src} ${url}/${BUCKET}/raw-put.bin`);
rows.push(['curl (raw HTTP)', { P1: mibps(bytes, curlGet), P2: mibps(bytes, curlPut) }]);
await del('raw-put.bin');

// The binding's ceiling.
if (wanted('fuse-native')) {
  const dir = path.join(work, 'mnt-ceiling');
  await mkdir(dir);
  // node itself, not `npx tsx`: killing a wrapper by PID would leave the server behind.
  const args = ['--import=tsx', path.join(root, 'bench/fuse-ceiling.ts'), dir, String(bytes)];
  const c = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: root,
  });
  children.push(c);
  await waitMounted(dir);
  // A read first, untimed: this VM pays for the first touch of memory it has not used yet (the first
  // 1 GiB dd of a run took 2.76 s, the next two 0.76 and 0.63 s), and whichever row came first paid it.
  await timed(`dd if=${dir}/data of=/dev/null bs=1M`);
  await dropCaches();
  const r = await timed(`dd if=${dir}/data of=/dev/null bs=1M`);
  const w = await timed(`dd if=${src} of=${dir}/sink bs=1M`);
  rows.push(['fuse-native ceiling (memory)', { P1: mibps(bytes, r), P2: mibps(bytes, w) }]);
  c.kill('SIGTERM');
  await sh(`fusermount -uz ${dir} 2>/dev/null || true`);
}

interface Peer {
  name: string;
  tool: string;
  /** Reads only (rclone --vfs-cache-mode full). */
  readsOnly?: boolean;
  /** Writes only: P2 and P4 (gcsmount --async-uploads: its reads and listings are the default row's). */
  writesOnly?: boolean;
  start: (dir: string) => ChildProcess;
}
await writeFile(path.join(work, 'pw'), `${KEY}:${SECRET}\n`, { mode: 0o600 });
await writeFile(
  path.join(work, 'rclone.conf'),
  `[emu]\ntype = s3\nprovider = Other\naccess_key_id = ${KEY}\nsecret_access_key = ${SECRET}\nendpoint = ${url}\nforce_path_style = true\nno_check_bucket = true\n`,
);
const renv = { ...process.env };
delete renv.AWS_CA_BUNDLE;
const fg = (cmd: string, args: string[], e: NodeJS.ProcessEnv = process.env): ChildProcess =>
  spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env: e });
const rclone = (mode: string) => (dir: string) =>
  fg(
    'rclone',
    [
      '--config',
      `${work}/rclone.conf`,
      'mount',
      `emu:${BUCKET}`,
      dir,
      '--vfs-cache-mode',
      mode,
      '--vfs-write-back',
      '0s',
      '--cache-dir',
      `${work}/rclone-${mode}`,
    ],
    renv,
  );
// node refuses --cpu-prof in NODE_OPTIONS: a profiled daemon runs node on the built entry point itself.
const profDir = process.env.BENCH_CPU_PROF;
const gcsmount = (dir: string, extra: string[] = []): ChildProcess =>
  fg(profDir ? 'node' : path.join(root, 'bin/gcsmount'), [
    ...(profDir
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`, path.join(root, 'build/daemon/cli.js')]
      : []),
    ...['mount', '-f', '--endpoint', url, '--anonymous', '--cache-dir', `${work}/gcs-cache`],
    ...['--log-level', 'error', ...extra, BUCKET, dir],
  ]);
const peers: Peer[] = [
  { name: 'gcsmount', tool: path.join(root, 'bin/gcsmount'), start: (dir) => gcsmount(dir) },
  {
    name: 'gcsmount --async-uploads',
    tool: path.join(root, 'bin/gcsmount'),
    writesOnly: true,
    start: (dir) => gcsmount(dir, ['--async-uploads']),
  },
  {
    name: 's3fs',
    tool: 's3fs',
    start: (dir) =>
      fg('s3fs', [
        BUCKET,
        dir,
        '-f',
        '-o',
        `url=${url}`,
        '-o',
        'use_path_request_style',
        '-o',
        `passwd_file=${work}/pw`,
      ]),
  },
  { name: 'rclone (writes)', tool: 'rclone', start: rclone('writes') },
  { name: 'rclone (full)', tool: 'rclone', readsOnly: true, start: rclone('full') },
];
const fio = await has('fio');

for (const p of peers) {
  if (!wanted(p.name)) continue;
  if (!(await has(p.tool))) {
    rows.push([p.name, { note: 'not installed: skipped' }]);
    continue;
  }
  const dir = path.join(work, `mnt-${p.name.replace(/\W+/g, '-')}`);
  await mkdir(dir);
  const child = p.start(dir);
  children.push(child);
  const row: Row = {};
  try {
    await waitMounted(dir);
    await dropCaches();
    if (!p.writesOnly) row.P1 = mibps(bytes, await timed(`dd if=${dir}/read.bin of=/dev/null bs=1M`));
    if (fio && !p.writesOnly) {
      for (const bs of ['4k', '128k']) {
        const out = await sh(
          `cd ${work} && fio --name=rr --filename=${dir}/read.bin --readonly --rw=randread --bs=${bs} --ioengine=psync --time_based --runtime=${FIO_S} --output-format=json`,
        );
        const job = (JSON.parse(out) as { jobs: { read: { iops: number; clat_ns: { mean: number } } }[] })
          .jobs[0];
        if (job)
          row[`P1r ${bs}`] =
            `${job.read.iops.toFixed(0)} IOPS, ${(job.read.clat_ns.mean / 1e6).toFixed(2)} ms`;
      }
    }
    if (!p.writesOnly)
      await timed(`for i in 1 2 3 4; do dd if=${dir}/read.bin of=/dev/null bs=1M 2>/dev/null & done; wait`);
    if (!p.readsOnly && !READS_ONLY) {
      const w = `w-${p.name.replace(/\W+/g, '')}`;
      await sh(`mkdir -p ${dir}/${w}`);
      row.P2 = mibps(
        bytes,
        await timed(
          `cp ${src} ${dir}/${w}/big.bin && until curl -sfI ${url}/${BUCKET}/${w}/big.bin >/dev/null; do sleep 0.05; done`,
        ),
      );
      await del(`${w}/big.bin`);
      if (!p.writesOnly) {
        row['P3 cold'] = secs(await timed(`ls -l ${dir}/ls > /dev/null`));
        row['P3 warm'] = secs(await timed(`ls -l ${dir}/ls > /dev/null`));
        row['find cold'] = secs(await timed(`find ${dir}/tree > /dev/null`));
        row['find warm'] = secs(await timed(`find ${dir}/tree > /dev/null`));
      }
      const t0 = performance.now();
      await sh(`cp -r ${small} ${dir}/${w}/small`);
      while ((await countKeys(`${w}/small/`)) < SMALL_N) await new Promise((r) => setTimeout(r, 50));
      const s = (performance.now() - t0) / 1000;
      row['P4 create'] = `${(SMALL_N / s).toFixed(0)} files/s`;
      await dropCaches();
      row['P4 read'] =
        `${(SMALL_N / (await timed(`cat ${dir}/${w}/small/* > /dev/null`))).toFixed(0)} files/s`;
    }
    const rss = await peakRss(child.pid);
    if (rss !== undefined) row['peak RSS'] = `${rss.toFixed(0)} MiB`;
  } catch (err) {
    row.note = `failed: ${String(err).split('\n')[0]?.slice(0, 120) ?? ''}`;
  }
  rows.push([p.name, row]);
  await sh(`fusermount -u ${dir} || fusermount -uz ${dir}`).catch(() => undefined);
  child.kill('SIGTERM');
}

// P5: the daemon's peak RSS reading 4 objects of a quarter each, one after the other and 4 at once, with
// a 256 MiB memory cache (a fresh mount each, so each high-water mark is its own).
if (wanted('gcsmount')) {
  const parts = Array.from({ length: 4 }, (_, i) => `p5/part${i}`);
  const part = path.join(work, 'part.bin');
  await writeFile(part, randomBytes(P5_PART * 2 ** 20));
  for (const name of parts) await sh(`curl -sf -T ${part} ${url}/${BUCKET}/${name}`);
  await rm(part);
  const row: Row = {};
  for (const [col, cmd] of [
    ['P5 1 reader', (d: string) => parts.map((n) => `dd if=${d}/${n} of=/dev/null bs=1M`).join('; ')],
    [
      'P5 4 readers',
      (d: string) => `${parts.map((n) => `dd if=${d}/${n} of=/dev/null bs=1M 2>/dev/null &`).join(' ')} wait`,
    ],
  ] as const) {
    const dir = path.join(work, `mnt-p5-${col.length}`);
    await mkdir(dir);
    const child = gcsmount(dir, ['--memory-cache-size', '256M']);
    children.push(child);
    try {
      await waitMounted(dir);
      await dropCaches();
      const s = await timed(cmd(dir));
      const rss = await peakRss(child.pid);
      row[col] = `${rss?.toFixed(0) ?? '?'} MiB (${mibps(4 * P5_PART * 2 ** 20, s)})`;
    } catch (err) {
      row.note = `failed: ${String(err).split('\n')[0]?.slice(0, 120) ?? ''}`;
    }
    await sh(`fusermount -u ${dir} || fusermount -uz ${dir}`).catch(() => undefined);
    child.kill('SIGTERM');
  }
  rows.push(['gcsmount, P5 (256 MiB cache)', row]);
}

const columns = [
  'P1',
  'P1r 4k',
  'P1r 128k',
  'P2',
  'P3 cold',
  'P3 warm',
  'find cold',
  'find warm',
  'P4 create',
  'P4 read',
  'peak RSS',
  'P5 1 reader',
  'P5 4 readers',
  'note',
];
const used = columns.filter((c) => rows.some(([, r]) => r[c] !== undefined));
const table = [
  `| | ${used.join(' | ')} |`,
  `|---|${used.map(() => '---').join('|')}|`,
  ...rows.map(([name, r]) => `| ${name} | ${used.map((c) => r[c] ?? '').join(' | ')} |`),
].join('\n');
const fioNote = fio ? `, fio ${FIO_S} s per job` : ', fio not installed (P1r skipped)';
const report = `\n## Run of ${new Date().toISOString().slice(0, 10)}${SIZES.full ? ' (full sizes)' : ' (quick sizes)'}\n\n${machine}. Sizes: P1/P2 ${MIB} MiB, P3 ${LS_N} objects, find over ${FAN}x${FAN}x${FAN} directories, P4 ${SMALL_N} x 4 KiB, P5 4 x ${P5_PART} MiB${fioNote}. "peak RSS" is the mount process's after all of its workloads (including 4 concurrent sequential readers of the P1 object).\n\n${table}\n`;
console.log(report);
if (process.env.BENCH_RECORD === '1') await appendFile(path.join(root, 'docs/benchmarks.md'), report);
for (const c of children) c.kill('SIGTERM');
await rm(work, { recursive: true, force: true });
// Spawned peers (rclone's and fuse-native's helpers) may keep handles open: the run is over.
process.exit(0);
