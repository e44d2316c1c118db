import test from 'ava';
import path from 'node:path';
import { COMMANDS } from '../../daemon/commands.js';
import { run } from '../helpers/tools.js';

const CLI = path.resolve(import.meta.dirname, '../../daemon/cli.ts');
const help = async (...args: string[]): Promise<string> =>
  (await run(process.execPath, ['--import=tsx', CLI, ...args], { timeoutMs: 60_000 })).stdout;

test('gcsmount --help lists every command with its summary', async (t) => {
  const usage = await help('--help');
  for (const c of COMMANDS)
    t.regex(usage, new RegExp(`^  ${c.name} +${c.summary.replace(/[()]/g, '\\$&')}$`, 'm'));
});

test("each command's flag list (for the man page and completion) is what its --help shows", async (t) => {
  for (const c of COMMANDS.filter((c) => c.name !== 'mount')) {
    const shown = new Set((await help(c.name, '--help')).match(/--[a-z][a-z-]*/g) ?? []);
    shown.delete('--help');
    t.deepEqual(new Set(c.flags.map((f) => `--${f.flag}`)), shown, c.name);
  }
});
