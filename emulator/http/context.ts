// What every handler receives: the parsed request, who is calling, and the emulator's shared state. Built
// once per request by the server.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../common/clock.js';
import type { Dialect } from '../hooks.js';
import type { Store } from '../store/store.js';
import type { UploadSessions } from '../uploads/sessions.js';
import type { Headers } from './headers.js';
import type { RequestTarget } from './request-target.js';

export interface Emulation {
  store: Store;
  uploads: UploadSessions;
  clock: Clock;
  /** Project used when a request names none (x-goog-project-id). */
  project: string;
}

export interface Ctx extends Emulation {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  target: RequestTarget;
  headers: Headers;
  dialect: Dialect;
  /** Canonical id of the caller: owner of what it creates. */
  caller: string;
  /** Scheme://host:port the client reached us at, for Location headers. */
  origin: string;
}
