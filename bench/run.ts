// Benchmarks: the same workloads through gcsmount, s3fs and rclone mount (and raw HTTP with curl), all
// against one emulator on this machine, reported as ratios from one run (machines here are shared and
// noisy: absolute numbers mean little, ratios within a run do). Usage: npx tsx bench/run.ts [MiB]
// Speed goals live here, never in tests.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

const MIB = Number(process.argv[2] ?? 256);
const KEY = 'GOOG1EEXAMPLEACCESSID';
const SECRET = 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ';
const root = path.resolve(import.meta.dirname, '..');

function sh(cmd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('bash', ['-c', cmd], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // 'exit', not 'close': a mount started in the background keeps the inherited stderr pipe open.
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd}: ${code} ${err}`))));
  });
}

async function timed(cmd: string, env?: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  await sh(`timeout 120 bash -c '${cmd.replace(/'/g, "'\\''")}'`, env);
  const s = (performance.now() - t0) / 1000;
  process.stderr.write(`  ${s.toFixed(2)}s  ${cmd.slice(0, 90)}\n`);
  return s;
}

async function waitMounted(dir: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await readFile('/proc/mounts', 'utf8')).includes(` ${dir} `)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not mounted: ${dir}`);
}

const work = await mkdtemp(path.join(tmpdir(), 'gcsmount-bench-'));
const emu = spawn(path.join(root, 'bin/gcsmount'), ['emulator', '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) =>
  emu.stdout.on('data', (d: Buffer) => resolve(d.toString().trim().replace('listening on ', ''))),
);
const src = path.join(work, 'src.bin');
await writeFile(src, randomBytes(MIB * 1024 * 1024));
const small = path.join(work, 'small');
await mkdir(small);
for (let i = 0; i < 300; i++) await writeFile(path.join(small, `f${i}`), `file ${i}\n`);

interface Result {
  write: number;
  read: number;
  smallFiles: number;
  ls: number;
}
const results: Record<string, Result> = {};
const mounts: { name: string; dir: string; mount: () => Promise<void> }[] = [];
const mk = async (name: string): Promise<string> => {
  await sh(`curl -sf -X PUT ${url}/bench-${name}`);
  const dir = path.join(work, `mnt-${name}`);
  await mkdir(dir);
  return dir;
};
const gdir = await mk('gcsmount');
mounts.push({
  name: 'gcsmount',
  dir: gdir,
  mount: () =>
    sh(
      `${root}/bin/gcsmount mount --endpoint ${url} --anonymous --cache-dir ${work}/cache --log-level error bench-gcsmount ${gdir}`,
    ).then(() => undefined),
});
const sdir = await mk('s3fs');
await writeFile(path.join(work, 'pw'), `${KEY}:${SECRET}\n`, { mode: 0o600 });
mounts.push({
  name: 's3fs',
  dir: sdir,
  mount: () =>
    sh(`s3fs bench-s3fs ${sdir} -o url=${url} -o use_path_request_style -o passwd_file=${work}/pw`).then(
      () => undefined,
    ),
});
const rdir = await mk('rclone');
await writeFile(
  path.join(work, 'rclone.conf'),
  `[emu]\ntype = s3\nprovider = Other\naccess_key_id = ${KEY}\nsecret_access_key = ${SECRET}\nendpoint = ${url}\nforce_path_style = true\nno_check_bucket = true\n`,
);
const renv = { ...process.env };
delete renv.AWS_CA_BUNDLE;
mounts.push({
  name: 'rclone',
  dir: rdir,
  mount: () =>
    sh(
      `rclone --config ${work}/rclone.conf mount emu:bench-rclone ${rdir} --daemon --vfs-cache-mode writes --vfs-write-back 0s`,
      renv,
    ).then(() => undefined),
});

try {
  for (const m of mounts) {
    try {
      await m.mount();
      await waitMounted(m.dir);
      // Write: cp then sync-to-store (gcsmount and s3fs upload on close; rclone writes back in the background,
      // so its time is measured until the object is visible in the bucket).
      const write = await timed(
        `cp ${src} ${m.dir}/big.bin && until curl -sfI ${url}/bench-${m.name}/big.bin >/dev/null; do sleep 0.05; done`,
      );
      await sh(`sync; echo 3 > /proc/sys/vm/drop_caches || true`);
      const read = await timed(`cat ${m.dir}/big.bin > /dev/null`);
      const smallFiles = await timed(
        `cp -r ${small} ${m.dir}/small && until [ "$(curl -sf '${url}/bench-${m.name}?prefix=small/' | grep -o '<Key>' | wc -l)" -ge 300 ]; do sleep 0.05; done`,
      );
      const ls = await timed(`ls -l ${m.dir}/small > /dev/null`);
      results[m.name] = { write, read, smallFiles, ls };
    } catch (err) {
      // One peer failing (rclone's VFS has refused cp over a fresh mount here) must not hide the others.
      console.log(`${m.name}: failed: ${String(err).split('\n')[0] ?? ''}`);
    }
    await sh(`fusermount -u ${m.dir} || fusermount -uz ${m.dir}`).catch(() => undefined);
  }
  const curlPut = await timed(`curl -sf -T ${src} ${url}/bench-gcsmount/raw.bin`);
  const curlGet = await timed(`curl -sf -o /dev/null ${url}/bench-gcsmount/raw.bin`);
  const g = results.gcsmount as Result;
  console.log(
    `${MIB} MiB sequential, 300 small files; seconds, and ratio to gcsmount (>1 = slower than gcsmount)`,
  );
  console.log(
    `raw curl: PUT ${curlPut.toFixed(2)}s (${(curlPut / g.write).toFixed(2)}x), GET ${curlGet.toFixed(2)}s (${(curlGet / g.read).toFixed(2)}x)`,
  );
  for (const [name, r] of Object.entries(results)) {
    const cell = (k: keyof Result): string => `${r[k].toFixed(2)}s (${(r[k] / g[k]).toFixed(2)}x)`;
    console.log(
      `${name.padEnd(9)} write ${cell('write')}  read ${cell('read')}  small-files ${cell('smallFiles')}  ls -l ${cell('ls')}`,
    );
  }
} finally {
  for (const m of mounts) await sh(`fusermount -uz ${m.dir} 2>/dev/null || true`);
  emu.kill('SIGTERM');
  await rm(work, { recursive: true, force: true });
}
