// The emulator's composition root: store, token registry, authenticator, fault injector and the side
// routes (OAuth token endpoint, metadata server, fault admin), in the order the server consults them.
// `gcsmount emulator` and the tests both build the emulator here, so tests run what users run.

import { systemClock, type Clock } from '../common/clock.js';
import { defined } from '../common/defined.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { createAuthenticator } from './auth/authenticator.js';
import { metadataServer } from './auth/metadata-server.js';
import { tokenEndpoint } from './auth/token-endpoint.js';
import { TokenRegistry, type UserRegistration } from './auth/token-registry.js';
import { faultAdminRoute } from './faults/admin-route.js';
import type { FaultSpec } from './faults/fault-spec.js';
import { createFaultInjector, type ControllableFaultInjector } from './faults/injector.js';
import { startEmulator, type RunningEmulator } from './server.js';
import type { Store } from './store/store.js';

export interface EmulatorConfig {
  store: Store;
  project: string;
  host?: string;
  port?: number;
  /** HMAC access id -> secret; when non-empty, HMAC signatures are verified. */
  hmacKeys?: ReadonlyMap<string, string>;
  /** Only tokens issued here and valid HMAC signatures pass. */
  requireAuth?: boolean;
  /** Service-account key files' JSON text, whose JWT assertions the token endpoint accepts. */
  serviceAccounts?: readonly string[];
  /** Refresh-token users the token endpoint accepts. */
  users?: readonly UserRegistration[];
  faults?: FaultSpec;
  clock?: Clock;
  logger?: Logger;
}

export interface Emulator extends RunningEmulator {
  readonly tokens: TokenRegistry;
  readonly faults: ControllableFaultInjector;
}

export async function buildEmulator(config: EmulatorConfig): Promise<Emulator> {
  const clock = config.clock ?? systemClock;
  const tokens = new TokenRegistry({ clock });
  for (const key of config.serviceAccounts ?? []) tokens.registerServiceAccount(key);
  for (const user of config.users ?? []) tokens.registerUser(user);
  const faults = createFaultInjector(config.faults, clock);
  const running = await startEmulator({
    store: config.store,
    project: config.project,
    ...defined({ host: config.host, port: config.port }),
    clock,
    logger: config.logger ?? silentLogger,
    authenticate: createAuthenticator({
      hmacKeys: config.hmacKeys ?? new Map(),
      requireAuth: config.requireAuth ?? false,
      tokens,
      clock,
    }),
    faults,
    sideRoutes: [
      tokenEndpoint(tokens),
      metadataServer(tokens, { projectId: config.project }),
      faultAdminRoute(faults),
    ],
  });
  return { ...running, close: () => running.close(), tokens, faults };
}
