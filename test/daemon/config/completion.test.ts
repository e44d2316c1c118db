import test from 'ava';
import { readFile } from 'node:fs/promises';
import { bashCompletion, DIR_FLAGS, FILE_FLAGS, mountFlags } from '../../../daemon/config/completion.js';
import { OPTIONS } from '../../../daemon/config/options.js';
import { runOk } from '../../helpers/tools.js';

const FILE = new URL('../../../completion/gcsmount.bash', import.meta.url);

test('completion/gcsmount.bash is generated from the table and up to date', async (t) => {
  t.is(await readFile(FILE, 'utf8'), bashCompletion(), 'run: node --import=tsx scripts/gen-config-doc.ts');
});

test('the path flags it completes as files or directories are rows of the table', (t) => {
  for (const f of [...FILE_FLAGS, ...DIR_FLAGS])
    t.true(
      OPTIONS.some((o) => o.flag === f && o.type === 'string'),
      f,
    );
  t.deepEqual(mountFlags().find((f) => f.flag === 'log-severity')?.value, [
    'trace',
    'debug',
    'info',
    'warning',
    'error',
    'off',
  ]);
  t.is(mountFlags().find((f) => f.flag === 'anonymous-access')?.value, 'none');
});

/** What the completion offers for a command line whose last word is being completed. */
async function complete(...words: string[]): Promise<string[]> {
  const script = [
    'source "$1"; shift',
    'COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()',
    '_gcsmount; printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const out = await runOk('bash', ['-c', script, '_', new URL(FILE).pathname, ...words]);
  return out.split('\n').filter((l) => l !== '');
}

test('bash completes commands, flags, enum values (also after =), -o keys and recover verbs', async (t) => {
  t.deepEqual(await complete('gcsmount', ''), [
    'mount',
    'unmount',
    'recover',
    'status',
    'emulator',
    '--help',
    '--version',
  ]);
  t.deepEqual(await complete('gcsmount', 'mount', '--metadata-cache-'), [
    '--metadata-cache-ttl-secs',
    '--metadata-cache-negative-ttl-secs',
  ]);
  t.deepEqual(await complete('gcsmount', 'mount', '--log-level', ''), [
    'debug',
    'info',
    'warn',
    'error',
    'off',
  ]);
  t.deepEqual(await complete('gcsmount', 'mount', '--log-format', '=', 'j'), ['json', 'journald']);
  t.deepEqual(await complete('gcsmount', 'mount', '-o', 'ro,allow_o'), ['ro,allow_other']);
  t.deepEqual(await complete('gcsmount', 'recover', ''), ['list', 'push', 'discard']);
  t.deepEqual(await complete('gcsmount', 'status', '--'), ['--json', '--help']);
  t.deepEqual(await complete('gcsmount', 'emulator', '--log-level', 'w'), ['warn']);
});

test('bash completes paths where a flag or the mountpoint takes one, and nothing for a bucket', async (t) => {
  t.deepEqual(await complete('gcsmount', 'mount', '--cache-dir', '/pro'), ['/proc']);
  t.deepEqual(await complete('gcsmount', 'mount', '--key-file', '/etc/hostnam'), ['/etc/hostname']);
  t.deepEqual(await complete('gcsmount', 'mount', '--anonymous', 'my-b'), []);
  t.deepEqual(await complete('gcsmount', 'mount', '--endpoint', 'http://x', 'my-bucket', '/pro'), ['/proc']);
  t.deepEqual(await complete('gcsmount', 'mount', '--endpoint', ''), [], 'free text: nothing to offer');
});
