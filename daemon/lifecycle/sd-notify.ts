// sd_notify(3) for Type=notify: READY, STATUS, STOPPING, WATCHDOG and EXTEND_TIMEOUT_USEC datagrams on
// $NOTIFY_SOCKET through unix-dgram (Node's dgram has no AF_UNIX); when to send is the callers' business.
// No-op without $NOTIFY_SOCKET. unix-dgram cannot address an abstract socket ('@name'): then each message
// goes through an async `systemd-notify --pid=OURS`, which root may send on behalf of this pid.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Logger } from '../../common/logger.js';

type UnixDgram = typeof import('unix-dgram');

export interface Notifier {
  /** False when there is no $NOTIFY_SOCKET: every call is a no-op. */
  readonly enabled: boolean;
  /** Sends `KEY=value` lines as one datagram; never throws (a lost notification is logged). */
  send(fields: Record<string, string>): Promise<void>;
  ready(status: string): Promise<void>;
  status(text: string): Promise<void>;
  stopping(status: string): Promise<void>;
  /** Asks for `ms` more before the start/stop timeout fires (a long drain). */
  extendTimeout(ms: number): Promise<void>;
  /** Starts WATCHDOG=1 pings at half $WATCHDOG_USEC (when it is set for this pid); `healthy` gates each. */
  startWatchdog(healthy?: () => Promise<boolean>): void;
  close(): void;
}

/** The watchdog interval for this process, from $WATCHDOG_USEC/$WATCHDOG_PID, in ms (undefined: none). */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

export function formatMessage(fields: Record<string, string>): string {
  // A value may not hold a newline: it would start a new assignment.
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}`)
    .join('\n');
}

type Transport = (message: string) => Promise<void>;

function loadUnixDgram(): UnixDgram | undefined {
  try {
    return createRequire(import.meta.url)('unix-dgram') as UnixDgram;
  } catch {
    return undefined;
  }
}

function datagramTransport(dgram: UnixDgram, socketPath: string): { send: Transport; close(): void } {
  const socket = dgram.createSocket('unix_dgram');
  socket.on('error', () => undefined); // reported per send through the callback
  return {
    send: (message) =>
      new Promise((resolve, reject) => {
        const buf = Buffer.from(message);
        socket.send(buf, 0, buf.length, socketPath, (err) => {
          if (err) reject(err);
          else resolve();
        });
      }),
    close: () => {
      socket.close();
    },
  };
}

function systemdNotifyTransport(): Transport {
  return (message) =>
    new Promise((resolve, reject) => {
      const child = spawn('systemd-notify', [`--pid=${process.pid}`, ...message.split('\n')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`systemd-notify exited ${code}: ${stderr.trim()}`));
      });
    });
}

export function createNotifier(env: NodeJS.ProcessEnv, logger: Logger): Notifier {
  const socketPath = env.NOTIFY_SOCKET;
  let transport: Transport | undefined;
  let closeTransport = (): void => undefined;
  if (socketPath) {
    const dgram = socketPath.startsWith('@') ? undefined : loadUnixDgram();
    if (dgram) {
      const t = datagramTransport(dgram, socketPath);
      transport = t.send;
      closeTransport = () => {
        t.close();
      };
    } else {
      logger.warn(
        socketPath.startsWith('@')
          ? 'NOTIFY_SOCKET is an abstract socket, which unix-dgram cannot address: using systemd-notify'
          : 'unix-dgram is not available: using systemd-notify for sd_notify',
        { socket: socketPath },
      );
      transport = systemdNotifyTransport();
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const send = async (fields: Record<string, string>): Promise<void> => {
    if (!transport) return;
    try {
      await transport(formatMessage(fields));
    } catch (err) {
      logger.warn('sd_notify failed', { fields: Object.keys(fields).join(','), error: String(err) });
    }
  };
  return {
    enabled: transport !== undefined,
    send,
    ready: (status) => send({ READY: '1', STATUS: status }),
    status: (text) => send({ STATUS: text }),
    stopping: (status) => send({ STOPPING: '1', STATUS: status }),
    extendTimeout: (ms) => send({ EXTEND_TIMEOUT_USEC: String(Math.round(ms * 1000)) }),
    startWatchdog: (healthy) => {
      const every = watchdogIntervalMs(env);
      if (!transport || every === undefined || timer) return;
      logger.info('systemd watchdog on', { pingEveryMs: every });
      let busy = false;
      timer = setInterval(() => {
        if (busy) return;
        busy = true;
        void (async () => {
          // A hung mount misses its pings, and systemd restarts the service (Restart=on-failure).
          if (!healthy || (await healthy())) await send({ WATCHDOG: '1' });
        })().finally(() => (busy = false));
      }, every);
      timer.unref();
    },
    close: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      closeTransport();
    },
  };
}
