// The emulator's OAuth state: the access tokens it issued (opaque `ya29.emulator-…`, one hour by the clock),
// the service accounts whose JWT assertions it accepts (public keys only), and the OAuth clients and
// refresh tokens of "user" accounts. It does not speak HTTP (token-endpoint.ts does) and never keeps a
// private key: only what Google itself would know.

import { createPublicKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { systemClock } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import { verifySelfSignedJwt } from './jwt-assertion.js';

export const TOKEN_LIFETIME_SECONDS = 3600;
export const DEFAULT_SCOPES: readonly string[] = ['https://www.googleapis.com/auth/devstorage.full_control'];

export interface IssuedToken {
  subject: string;
  scopes: string[];
  /** Milliseconds since the epoch, by the registry's clock. */
  expiresAt: number;
}

export interface ServiceAccount {
  clientEmail: string;
  privateKeyId?: string;
  clientId?: string;
  publicKey: KeyObject;
}

export interface UserRegistration {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Principal the tokens speak for; defaults to `user-<clientId>`. */
  subject?: string;
  scopes?: string[];
}

interface RefreshGrant {
  clientId: string;
  subject: string;
  scopes: string[];
  revoked: boolean;
}

export interface TokenRegistryOptions {
  clock?: Clock;
  /** Random bytes for token text; injectable so tests can predict tokens. */
  random?: (size: number) => Buffer;
}

function field(json: Record<string, unknown>, name: string): string | undefined {
  const value = json[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export class TokenRegistry {
  readonly clock: Clock;
  readonly #random: (size: number) => Buffer;
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #accounts = new Map<string, ServiceAccount>();
  readonly #clients = new Map<string, string>();
  readonly #refresh = new Map<string, RefreshGrant>();

  constructor(options: TokenRegistryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.#random = options.random ?? randomBytes;
  }

  /** Issues a fresh access token for `subject`. */
  issue(subject: string, scopes: readonly string[]): { accessToken: string; token: IssuedToken } {
    const now = this.clock.now();
    for (const [text, t] of this.#tokens) if (t.expiresAt <= now) this.#tokens.delete(text);
    const accessToken = 'ya29.emulator-' + this.#random(24).toString('base64url');
    const token: IssuedToken = {
      subject,
      scopes: [...scopes],
      expiresAt: now + TOKEN_LIFETIME_SECONDS * 1000,
    };
    this.#tokens.set(accessToken, token);
    return { accessToken, token };
  }

  /** The token's grant if this registry issued it and it has not expired, or if it is a current
   *  self-signed JWT of a registered service account (clients that skip the token exchange). */
  check(accessToken: string): IssuedToken | undefined {
    const now = this.clock.now();
    const token = this.#tokens.get(accessToken);
    if (token !== undefined) return token.expiresAt > now ? token : undefined;
    if (accessToken.split('.').length !== 3 || this.#accounts.size === 0) return undefined;
    return verifySelfSignedJwt(this, accessToken, now);
  }

  revokeAccessToken(accessToken: string): boolean {
    return this.#tokens.delete(accessToken);
  }

  /** Registers a service-account key file's contents (JSON text or parsed); keeps the public half only. */
  registerServiceAccount(keyJson: string | Record<string, unknown>): ServiceAccount {
    const json = typeof keyJson === 'string' ? (JSON.parse(keyJson) as unknown) : keyJson;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new Error('service account key: expected a JSON object');
    }
    const record = json as Record<string, unknown>;
    if (record['type'] !== 'service_account') {
      throw new Error(
        `service account key: type must be "service_account", got ${JSON.stringify(record['type'])}`,
      );
    }
    const clientEmail = field(record, 'client_email');
    const privateKey = field(record, 'private_key');
    if (clientEmail === undefined) throw new Error('service account key: missing client_email');
    if (privateKey === undefined) throw new Error('service account key: missing private_key');
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(privateKey);
    } catch (err) {
      throw new Error(`service account key ${clientEmail}: unreadable private_key`, { cause: err });
    }
    const account: ServiceAccount = { clientEmail, publicKey };
    const keyId = field(record, 'private_key_id');
    const clientId = field(record, 'client_id');
    if (keyId !== undefined) account.privateKeyId = keyId;
    if (clientId !== undefined) account.clientId = clientId;
    this.#accounts.set(clientEmail, account);
    return account;
  }

  serviceAccount(clientEmail: string): ServiceAccount | undefined {
    return this.#accounts.get(clientEmail);
  }

  /** Registers an OAuth client (id + secret); re-registering with another secret is an error. */
  registerClient(clientId: string, clientSecret: string): void {
    const existing = this.#clients.get(clientId);
    if (existing !== undefined && existing !== clientSecret) {
      throw new Error(`OAuth client ${clientId} is already registered with another secret`);
    }
    this.#clients.set(clientId, clientSecret);
  }

  /** Registers an OAuth client and one refresh token it may redeem. */
  registerUser(user: UserRegistration): void {
    this.registerClient(user.clientId, user.clientSecret);
    this.#refresh.set(user.refreshToken, {
      clientId: user.clientId,
      subject: user.subject ?? `user-${user.clientId}`,
      scopes: [...(user.scopes ?? DEFAULT_SCOPES)],
      revoked: false,
    });
  }

  /** The registered secret of an OAuth client, or undefined if the client is unknown. */
  clientSecret(clientId: string): string | undefined {
    return this.#clients.get(clientId);
  }

  /** Subject and scopes for a live refresh token issued to `clientId`, else undefined. */
  redeemRefreshToken(
    refreshToken: string,
    clientId: string,
  ): { subject: string; scopes: string[] } | undefined {
    const grant = this.#refresh.get(refreshToken);
    if (grant === undefined || grant.revoked || grant.clientId !== clientId) return undefined;
    return { subject: grant.subject, scopes: [...grant.scopes] };
  }

  /** Revokes a refresh token (as a user removing the app's access would). True if it was known. */
  revokeRefreshToken(refreshToken: string): boolean {
    const grant = this.#refresh.get(refreshToken);
    if (grant === undefined) return false;
    grant.revoked = true;
    return true;
  }
}
