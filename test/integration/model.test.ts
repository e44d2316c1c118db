// Model-based test: the same random sequence of create, write at offsets, truncate, rename, unlink,
// mkdir, rmdir and reads is applied to the mount and to a local directory (the model), and the two trees
// are compared after every step and again after a remount. Seeded: set GCSMOUNT_MODEL_SEED to replay a
// failure (the seed is printed when a run fails).

import test from 'ava';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mount } from '../helpers/mount.js';
import { run } from '../helpers/tools.js';

const NAMES = ['a', 'b', 'd/c', 'd/e', 'f/g/h'];
const DIRS = ['d', 'f', 'f/g', 'x'];

type Op =
  | { kind: 'create'; file: string; size: number; seed: number }
  | { kind: 'write'; file: string; offset: number; size: number; seed: number }
  | { kind: 'truncate'; file: string; size: number }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'unlink'; file: string }
  | { kind: 'mkdir'; dir: string }
  | { kind: 'rmdir'; dir: string }
  | { kind: 'read'; file: string };

const name = fc.constantFrom(...NAMES);
const dir = fc.constantFrom(...DIRS);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    file: name,
    size: fc.integer({ min: 0, max: 300_000 }),
    seed: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('write' as const),
    file: name,
    offset: fc.integer({ min: 0, max: 400_000 }),
    size: fc.integer({ min: 1, max: 70_000 }),
    seed: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('truncate' as const),
    file: name,
    size: fc.integer({ min: 0, max: 200_000 }),
  }),
  fc.record({ kind: fc.constant('rename' as const), from: name, to: name }),
  fc.record({ kind: fc.constant('unlink' as const), file: name }),
  fc.record({ kind: fc.constant('mkdir' as const), dir }),
  fc.record({ kind: fc.constant('rmdir' as const), dir }),
  fc.record({ kind: fc.constant('read' as const), file: name }),
);

/** The shell command for one op, run with the tree's root as the working directory. Every op reports
 *  only success or failure, which must agree between the two trees. */
function command(o: Op): string {
  const bytes = (size: number, seed: number): string =>
    `python3 -c "import random,sys; r=random.Random(${seed}); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(${size})))"`;
  switch (o.kind) {
    case 'create':
      return `${bytes(o.size, o.seed)} > ${o.file}`;
    case 'write':
      return `test -f ${o.file} && ${bytes(o.size, o.seed)} | dd of=${o.file} bs=4096 seek=${o.offset} oflag=seek_bytes conv=notrunc status=none`;
    case 'truncate':
      return `test -f ${o.file} && truncate -s ${o.size} ${o.file}`;
    case 'rename':
      return `test -f ${o.from} && test ! -d ${o.to} && mv -T ${o.from} ${o.to}`;
    case 'unlink':
      return `rm ${o.file}`;
    case 'mkdir':
      return `mkdir ${o.dir}`;
    case 'rmdir':
      return `rmdir ${o.dir}`;
    case 'read':
      return `cat ${o.file} > /dev/null`;
  }
}

async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const e of (await readdir(path.join(root, rel), { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out[`${p}/`] = 'dir';
        await walk(p);
      } else {
        const data = await readFile(path.join(root, p));
        out[p] = `${data.length}:${createHash('sha256').update(data).digest('hex').slice(0, 16)}`;
      }
    }
  };
  await walk('');
  return out;
}

test('random sequences of file operations leave the mount identical to a local directory, before and after a remount', async (t) => {
  const first = await mount(t);
  const base = await mkdtemp(path.join(tmpdir(), 'gcsmount-model-'));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  const seed = Number(process.env.GCSMOUNT_MODEL_SEED ?? Date.now() % 1_000_000);
  t.log(`seed ${seed} (replay with GCSMOUNT_MODEL_SEED=${seed})`);
  let round = 0;
  const applied: { mount: string; model: string }[] = [];
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 14 }), (ops) =>
      runOps(ops).catch((err: unknown) => {
        t.log(String(err));
        t.log(
          first
            .logs()
            .split('\n')
            .filter((l) => !l.includes(' DEBUG '))
            .slice(-15)
            .join('\n'),
        );
        throw err;
      }),
    ),
    { seed, numRuns: 4, endOnFailure: true },
  );
  async function runOps(ops: Op[]): Promise<void> {
    round++;
    const model = path.join(base, `model-${round}`);
    const real = first.at(`run-${round}`);
    await mkdir(model);
    await mkdir(real);
    for (const o of ops) {
      const cmd = command(o);
      // cd inside the shell, never spawn's cwd: spawn chdirs before exec while this process (which serves
      // the emulator) waits, and a chdir into the mount needs the emulator to answer: a deadlock.
      const a = await run('sh', ['-c', `cd "$1" && ${cmd}`, 'sh', model]);
      const b = await run('sh', ['-c', `cd "$1" && ${cmd}`, 'sh', real]);
      if (a.code !== b.code) {
        t.log(`${cmd}: model exit ${a.code} ${a.stderr}, mount exit ${b.code} ${b.stderr}`);
        throw new Error(`${cmd}: model exit ${a.code}, mount exit ${b.code} ${b.stderr}`);
      }
      const [sa, sb] = [await snapshot(model), await snapshot(real)];
      if (JSON.stringify(sa) !== JSON.stringify(sb)) {
        t.log(`after ${cmd}:\nmodel ${JSON.stringify(sa)}\nmount ${JSON.stringify(sb)}`);
        throw new Error(`after ${cmd}:\nmodel ${JSON.stringify(sa)}\nmount ${JSON.stringify(sb)}`);
      }
    }
    applied.push({ mount: `run-${round}`, model });
  }
  // Everything must survive a remount (no state held only by the daemon).
  await first.stop();
  const second = await mount(t, { emu: first.emu });
  for (const a of applied) {
    t.deepEqual(await snapshot(second.at(a.mount)), await snapshot(a.model), a.mount);
  }
  t.true((await stat(second.dir)).isDirectory());
});
