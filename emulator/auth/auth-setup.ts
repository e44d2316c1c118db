// One wiring point for the emulator's authentication flags: turns --hmac, --require-auth, --service-account
// (service-account or authorized_user key files), --oauth-client and --refresh-token values into the token
// registry, the `Authenticate` hook and the OAuth side routes. Flag syntax errors throw with the flag named.
// Reading files is left to the caller (readKeyFile helps) so this stays synchronous and testable.

import { readFile } from 'node:fs/promises';
import type { Clock } from '../../common/clock.js';
import type { Authenticate, SideRoute } from '../hooks.js';
import { createAuthenticator } from './authenticator.js';
import { metadataServer } from './metadata-server.js';
import { tokenEndpoint } from './token-endpoint.js';
import { TokenRegistry } from './token-registry.js';

export interface AuthFlags {
  /** `--hmac ACCESS_ID:SECRET`, repeatable. */
  hmac?: readonly string[];
  /** `--require-auth`. */
  requireAuth?: boolean;
  /** Contents of `--service-account FILE` key files: `service_account` or `authorized_user` JSON. */
  keyFiles?: readonly string[];
  /** `--oauth-client CLIENT_ID:SECRET`, repeatable. */
  oauthClients?: readonly string[];
  /** `--refresh-token TOKEN` (single client) or `CLIENT_ID=TOKEN`, repeatable. */
  refreshTokens?: readonly string[];
  /** Principal of metadata-server tokens (default default@emulator.iam.gserviceaccount.com). */
  metadataSubject?: string;
  /** Service hosts for virtual-host detection. */
  baseHosts?: readonly string[];
}

export interface AuthSetup {
  registry: TokenRegistry;
  authenticate: Authenticate;
  /** `POST /token` and `/computeMetadata/...`; offer them before the XML API. */
  sideRoutes: SideRoute[];
}

function splitPair(flag: string, value: string, separator: string): [string, string] {
  const at = value.indexOf(separator);
  if (at <= 0 || at === value.length - 1) {
    throw new Error(`${flag}: expected ID${separator}SECRET, got "${value.slice(0, Math.max(at, 0))}..."`);
  }
  return [value.slice(0, at), value.slice(at + 1)];
}

/** Reads a key file for `keyFiles`. */
export async function readKeyFile(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

function registerKeyFile(registry: TokenRegistry, text: string, index: number): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`--service-account #${index + 1}: not JSON`, { cause: err });
  }
  const record = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (record['type'] === 'authorized_user') {
    const { client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken } = record;
    if (
      typeof clientId !== 'string' ||
      typeof clientSecret !== 'string' ||
      typeof refreshToken !== 'string'
    ) {
      throw new Error(
        `--service-account #${index + 1}: authorized_user needs client_id, client_secret, refresh_token`,
      );
    }
    const account = record['account'];
    registry.registerUser({
      clientId,
      clientSecret,
      refreshToken,
      ...(typeof account === 'string' && account !== '' ? { subject: account } : {}),
    });
    return;
  }
  registry.registerServiceAccount(record);
}

export function setupAuth(flags: AuthFlags, clock?: Clock): AuthSetup {
  const registry = new TokenRegistry(clock ? { clock } : {});
  const hmacKeys = new Map<string, string>();
  for (const value of flags.hmac ?? []) {
    const [id, secret] = splitPair('--hmac', value, ':');
    hmacKeys.set(id, secret);
  }
  (flags.keyFiles ?? []).forEach((text, i) => {
    registerKeyFile(registry, text, i);
  });
  const clients = new Map<string, string>();
  for (const value of flags.oauthClients ?? []) {
    const [id, secret] = splitPair('--oauth-client', value, ':');
    clients.set(id, secret);
    registry.registerClient(id, secret);
  }
  for (const value of flags.refreshTokens ?? []) {
    const eq = value.indexOf('=');
    let clientId = eq > 0 ? value.slice(0, eq) : undefined;
    const refreshToken = eq > 0 ? value.slice(eq + 1) : value;
    if (clientId === undefined) {
      if (clients.size !== 1) {
        throw new Error(
          '--refresh-token: give CLIENT_ID=TOKEN unless exactly one --oauth-client is configured',
        );
      }
      clientId = [...clients.keys()][0] ?? '';
    }
    const clientSecret = clients.get(clientId);
    if (clientSecret === undefined) throw new Error(`--refresh-token: no --oauth-client ${clientId}`);
    if (refreshToken === '') throw new Error('--refresh-token: empty token');
    registry.registerUser({ clientId, clientSecret, refreshToken });
  }
  const authenticate = createAuthenticator({
    hmacKeys,
    requireAuth: flags.requireAuth ?? false,
    tokens: registry,
    ...(clock ? { clock } : {}),
    ...(flags.baseHosts ? { baseHosts: flags.baseHosts } : {}),
  });
  const sideRoutes = [
    tokenEndpoint(registry),
    metadataServer(registry, flags.metadataSubject === undefined ? {} : { subject: flags.metadataSubject }),
  ];
  return { registry, authenticate, sideRoutes };
}
