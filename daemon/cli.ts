// `gcsmount SUBCOMMAND ...`: the one entry point (bin/gcsmount runs this file). Each subcommand module is
// imported only when chosen, so `gcsmount emulator` never loads FUSE and `gcsmount mount` never loads
// the emulator. What each command is (summary, usage, flags) is data in commands.ts.

import { COMMANDS } from './commands.js';

type Run = (argv: string[]) => Promise<number>;

const RUN: Record<string, Run> = {
  // A served mount keeps sockets and timers alive; once it is unmounted the process is done.
  mount: async (argv) => process.exit(await (await import('./mount-command.js')).mountMain(argv)),
  unmount: async (argv) => (await import('./unmount-command.js')).unmountMain(argv),
  recover: async (argv) => (await import('./recover-command.js')).recoverMain(argv),
  status: async (argv) => (await import('./status-command.js')).statusMain(argv),
  emulator: async (argv) => (await import('../emulator/main.js')).main(argv),
};

function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
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
  const run = Object.hasOwn(RUN, name) ? RUN[name] : undefined;
  if (!run) {
    process.stderr.write(`gcsmount: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return run(rest);
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
