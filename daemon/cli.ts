// `gcsmount SUBCOMMAND ...`: the one entry point (bin/gcsmount runs this file). Each subcommand module is
// imported only when chosen, so `gcsmount emulator` never loads FUSE and `gcsmount mount` never loads
// the emulator.

interface Subcommand {
  summary: string;
  run: (argv: string[]) => Promise<number>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  mount: {
    summary: 'mount a bucket (or _ for a whole project) at a directory',
    // A served mount keeps sockets and timers alive; once it is unmounted the process is done.
    run: async (argv) => process.exit(await (await import('./mount-command.js')).mountMain(argv)),
  },
  unmount: {
    summary: 'stop a mount cleanly (uploads finish first)',
    run: async (argv) => (await import('./unmount-command.js')).unmountMain(argv),
  },
  recover: {
    summary: 'list, upload or discard bytes the mount kept instead of uploading',
    run: async (argv) => (await import('./recover-command.js')).recoverMain(argv),
  },
  status: {
    summary: 'show what a mount is doing (pending uploads, cache use, errors)',
    run: async (argv) => (await import('./status-command.js')).statusMain(argv),
  },
  emulator: {
    summary: 'run the embedded Cloud Storage XML API emulator',
    run: async (argv) => (await import('../emulator/main.js')).main(argv),
  },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(10)} ${s.summary}`);
  return `usage: gcsmount <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'gcsmount <command> --help' for a command's options.\n`;
}

export async function cli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`gcsmount ${await (await import('./version.js')).version()}\n`);
    return 0;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    process.stderr.write(`gcsmount: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return sub.run(rest);
}

cli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gcsmount: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
