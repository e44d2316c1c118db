// Types for the part of unix-dgram (CommonJS, no typings) that sd-notify.ts and the tests use.
// Only what is called is declared: a wrong signature here would hide a real mismatch.
declare module 'unix-dgram' {
  import type { EventEmitter } from 'node:events';
  export interface UnixDgramSocket extends EventEmitter {
    bind(path: string): void;
    send(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
    close(): void;
  }
  export function createSocket(
    type: 'unix_dgram',
    listener?: (msg: Buffer, rinfo: { size: number; path?: string }) => void,
  ): UnixDgramSocket;
}
