// Runs real tools (cp, cat, getfattr, boto scripts, s3cmd, aws, ...) in child processes, always
// asynchronously: the test process may be serving an emulator or a FUSE mount, and a synchronous spawn
// would block the very event loop those tools are waiting on.

import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
}

export function run(
  command: string,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input);
  });
}

/** Like run, but rejects with the tool's output when it exits non-zero. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<string> {
  const r = await run(command, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  }
  return r.stdout;
}
