// The subcommands of `gcsmount`, as data: what each does, how it is called and the flags it takes, for the
// top-level usage (cli.ts), the man page and the bash completion (config/manpage.ts, config/completion.ts).
// `mount` takes its flags from the option table (config/options.ts); the others list theirs here, and a
// test checks each list against the command's own --help. No command code is imported: cli.ts loads a
// command only when it runs.

/** What a flag's value is, for completion: a file, a directory, one of some words, or free text. */
export type FlagValue = 'none' | 'file' | 'dir' | 'text' | readonly string[];

export interface CommandFlag {
  flag: string;
  value: FlagValue;
}

export interface CommandInfo {
  name: string;
  summary: string;
  /** Usage lines after `gcsmount NAME` (man page SYNOPSIS). */
  synopsis: readonly string[];
  /** Flags other than --help; empty for mount (its table is config/options.ts). */
  flags: readonly CommandFlag[];
  /** What positional words complete to. */
  positional: 'mountpoint' | 'gcsmount-mount' | 'verb-then-path' | 'none';
  /** First positional words (recover's verbs). */
  verbs?: readonly string[];
}

export const COMMANDS: readonly CommandInfo[] = [
  {
    name: 'mount',
    summary: 'mount a bucket (or _ for a whole project) at a directory',
    synopsis: ['[options] BUCKET|_ MOUNTPOINT'],
    flags: [],
    positional: 'mountpoint',
  },
  {
    name: 'unmount',
    summary: 'stop a mount cleanly (uploads finish first)',
    synopsis: ['MOUNTPOINT'],
    flags: [],
    positional: 'gcsmount-mount',
  },
  {
    name: 'recover',
    summary: 'list, upload or discard bytes the mount kept instead of uploading',
    synopsis: [
      'list [--cache-dir DIR]',
      'push --mount MOUNTPOINT [--to NAME] [--cache-dir DIR] BUCKET/OBJECT|FILE...',
      'discard [--cache-dir DIR] BUCKET/OBJECT|FILE...',
    ],
    flags: [
      { flag: 'cache-dir', value: 'dir' },
      { flag: 'mount', value: 'dir' },
      { flag: 'to', value: 'text' },
    ],
    positional: 'verb-then-path',
    verbs: ['list', 'push', 'discard'],
  },
  {
    name: 'status',
    summary: 'show what a mount is doing (pending uploads, cache use, errors)',
    synopsis: ['MOUNTPOINT [--json]'],
    flags: [{ flag: 'json', value: 'none' }],
    positional: 'gcsmount-mount',
  },
  {
    name: 'emulator',
    summary: 'run the embedded Cloud Storage XML API emulator',
    synopsis: ['[--host HOST] [--port PORT] [--data DIR] [options]'],
    flags: [
      { flag: 'host', value: 'text' },
      { flag: 'port', value: 'text' },
      { flag: 'data', value: 'dir' },
      { flag: 'project', value: 'text' },
      { flag: 'hmac', value: 'text' },
      { flag: 'hmac-file', value: 'file' },
      { flag: 'require-auth', value: 'none' },
      { flag: 'service-account', value: 'file' },
      { flag: 'oauth-user', value: 'text' },
      { flag: 'oauth-user-file', value: 'file' },
      { flag: 'faults', value: 'text' },
      { flag: 'log-level', value: ['debug', 'info', 'warn', 'error'] },
    ],
    positional: 'none',
  },
];
