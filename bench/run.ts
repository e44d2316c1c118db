// `npm run bench`: the same workloads through gcsmount, s3fs and rclone mount, next to raw curl and the
// FUSE binding's own ceiling (bench/fuse-ceiling.ts), all against ONE emulator in ONE run on this machine,
// printed as one markdown table (machines here are shared and noisy: absolute numbers mean little, ratios
// within a run do). A peer that is not installed is reported and skipped. BENCH_RECORD=1 appends the table
// with the machine to docs/benchmarks.md. Never part of `npm test`. Sizes come from the environment:
//   BENCH_READ_MIB (1024)  P1 cold sequential read and P2 write size, and the curl rows
//   BENCH_LS_N (10000)     P3 objects in one directory
//   BENCH_SMALL_N (1000)   P4 4 KiB files
//   BENCH_FIO_S (10)       P1r seconds per fio job (skipped without fio)

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const MIB = env('BENCH_READ_MIB', 1024);
const LS_N = env('BENCH_LS_N', 10000);
const SMALL_N = env('BENCH_SMALL_N', 1000);
const FIO_S = env('BENCH_FIO_S', 10);
const KEY = 'GOOG1EEXAMPLEACCESSID';
const SECRET = 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ';
const root = path.resolve(import.meta.dirname, '..');
const BUCKET = 'bench';

function sh(cmd: string, e: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('bash', ['-c', cmd], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd}: ${code} ${err}`))));
  });
}

async function timed(cmd: string): Promise<number> {
  const t0 = performance.now();
  await sh(`timeout 600 bash -c '${cmd.replace(/'/g, "'\\''")}'`);
  const s = (performance.now() - t0) / 1000;
  process.stderr.write(`  ${s.toFixed(2)}s  ${cmd.slice(0, 100)}\n`);
  return s;
}

const has = (tool: string): Promise<boolean> =>
  sh(`command -v ${tool}`).then(
    () => true,
    () => false,
  );
const dropCaches = (): Promise<unknown> =>
  sh('sync; echo 3 > /proc/sys/vm/drop_caches').catch(() => undefined);

async function waitMounted(dir: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await readFile('/proc/mounts', 'utf8')).includes(` ${dir} `)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not mounted: ${dir}`);
}

async function peakRss(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

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
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < names.length) {
        const name = names[next++] as string;
        const res = await fetch(`${url}/${BUCKET}/${name}`, { method: 'PUT', body });
        if (!res.ok) throw new Error(`PUT ${name}: ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
}

async function countKeys(prefix: string): Promise<number> {
  const text = await (await fetch(`${url}/${BUCKET}?prefix=${encodeURIComponent(prefix)}`)).text();
  return text.split('<Key>').length - 1;
}

const machine = `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${(await sh('uname -r')).trim()}, load ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')} at start`;
process.stderr.write(`${machine}\npreparing: ${MIB} MiB object, ${LS_N} objects, ${SMALL_N} small files\n`);
await sh(`curl -sf -X PUT ${url}/${BUCKET}`);
const src = path.join(work, 'src.bin');
await writeFile(src, randomBytes(MIB * 1024 * 1024));
await sh(`curl -sf -T ${src} ${url}/${BUCKET}/read.bin`);
await putMany(
  Array.from({ length: LS_N }, (_, i) => `ls/f${String(i).padStart(6, '0')}`),
  Buffer.from('x'),
);
const small = path.join(work, 'small');
await mkdir(small);
const four = randomBytes(4096);
await Promise.all(Array.from({ length: SMALL_N }, (_, i) => writeFile(path.join(small, `f${i}`), four)));

type Row = Record<string, string>;
const rows: [string, Row][] = [];
const mibps = (bytes: number, s: number): string => `${(bytes / 2 ** 20 / s).toFixed(0)} MiB/s`;
const bytes = MIB * 2 ** 20;

// Raw HTTP: what the emulator itself does.
const curlGet = await timed(`curl -sf -o /dev/null ${url}/${BUCKET}/read.bin`);
const curlPut = await timed(`curl -sf -T ${src} ${url}/${BUCKET}/raw-put.bin`);
rows.push(['curl (raw HTTP)', { P1: mibps(bytes, curlGet), P2: mibps(bytes, curlPut) }]);

// The binding's ceiling.
{
  const dir = path.join(work, 'mnt-ceiling');
  await mkdir(dir);
  const c = spawn('npx', ['tsx', path.join(root, 'bench/fuse-ceiling.ts'), dir, String(bytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: root,
  });
  children.push(c);
  await waitMounted(dir);
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
const peers: Peer[] = [
  {
    name: 'gcsmount',
    tool: path.join(root, 'bin/gcsmount'),
    start: (dir) =>
      fg(path.join(root, 'bin/gcsmount'), [
        'mount',
        '-f',
        '--endpoint',
        url,
        '--anonymous',
        '--cache-dir',
        `${work}/gcs-cache`,
        '--log-level',
        'error',
        BUCKET,
        dir,
      ]),
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
    row.P1 = mibps(bytes, await timed(`dd if=${dir}/read.bin of=/dev/null bs=1M`));
    if (fio) {
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
    await timed(`for i in 1 2 3 4; do dd if=${dir}/read.bin of=/dev/null bs=1M 2>/dev/null & done; wait`);
    if (!p.readsOnly) {
      const w = `w-${p.name.replace(/\W+/g, '')}`;
      await sh(`mkdir -p ${dir}/${w}`);
      row.P2 = mibps(
        bytes,
        await timed(
          `cp ${src} ${dir}/${w}/big.bin && until curl -sfI ${url}/${BUCKET}/${w}/big.bin >/dev/null; do sleep 0.05; done`,
        ),
      );
      row['P3 cold'] = `${(await timed(`ls -l ${dir}/ls > /dev/null`)).toFixed(2)} s`;
      row['P3 warm'] = `${(await timed(`ls -l ${dir}/ls > /dev/null`)).toFixed(2)} s`;
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
    if (rss !== undefined) row['P5 peak RSS'] = `${rss.toFixed(0)} MiB`;
  } catch (err) {
    row.note = `failed: ${String(err).split('\n')[0]?.slice(0, 120) ?? ''}`;
  }
  rows.push([p.name, row]);
  await sh(`fusermount -u ${dir} || fusermount -uz ${dir}`).catch(() => undefined);
  child.kill('SIGTERM');
}

const columns = [
  'P1',
  'P1r 4k',
  'P1r 128k',
  'P2',
  'P3 cold',
  'P3 warm',
  'P4 create',
  'P4 read',
  'P5 peak RSS',
  'note',
];
const used = columns.filter((c) => rows.some(([, r]) => r[c] !== undefined));
const table = [
  `| | ${used.join(' | ')} |`,
  `|---|${used.map(() => '---').join('|')}|`,
  ...rows.map(([name, r]) => `| ${name} | ${used.map((c) => r[c] ?? '').join(' | ')} |`),
].join('\n');
const report = `\n## Run of ${new Date().toISOString().slice(0, 10)}\n\n${machine}. Sizes: P1/P2 ${MIB} MiB, P3 ${LS_N} objects, P4 ${SMALL_N} x 4 KiB${fio ? `, fio ${FIO_S} s per job` : ', fio not installed'}. P5 is the peak RSS after all of the mount's workloads (including 4 concurrent sequential readers).\n\n${table}\n`;
console.log(report);
if (process.env.BENCH_RECORD === '1') await appendFile(path.join(root, 'docs/benchmarks.md'), report);
for (const c of children) c.kill('SIGTERM');
await rm(work, { recursive: true, force: true });
// Spawned peers (rclone's and fuse-native's helpers) may keep handles open: the run is over.
process.exit(0);
