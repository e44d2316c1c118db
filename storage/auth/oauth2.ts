// OAuth2 bearer-token credentials over google-auth-library: service-account keys (JWT bearer grant),
// user refresh tokens, and application default credentials. The library owns token caching, early refresh
// and de-duplication of concurrent refreshes; this file owns pointing it at another token endpoint (an
// emulator) and turning its errors into StorageErrors that name the credential and never a secret.

import {
  Compute,
  gaxios,
  GoogleAuth,
  JWT,
  OAuth2Client,
  UserRefreshClient,
  type AuthClient,
} from 'google-auth-library';
import { redactText, silentLogger, type Logger } from '../../common/logger.js';
import { StorageError, type StorageErrorCode } from '../errors.js';
import type { Credentials, RequestToSign } from './credentials.js';
import { readKeyFile, type AuthorizedUserKey, type ServiceAccountKey } from './key-file.js';

export const SCOPE_FULL_CONTROL = 'https://www.googleapis.com/auth/devstorage.full_control';
export const SCOPE_READ_ONLY = 'https://www.googleapis.com/auth/devstorage.read_only';
/** Where google-auth-library sends every token request unless told otherwise. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
// gcs-oauth2-boto-plugin refreshes when fewer than 300 s remain (spec §2.2).
const EAGER_REFRESH_MS = 300_000;

export interface OAuth2CommonOptions {
  /** Request devstorage.read_only instead of full_control (service accounts and ADC). */
  readOnly?: boolean;
  /** Token endpoint to use instead of Google's (an emulator's POST /token); wins over a key's token_uri. */
  tokenUrl?: string;
  /** Token endpoint when neither `tokenUrl` nor the key file names one (.boto provider_token_uri). */
  defaultTokenUrl?: string;
  logger?: Logger;
}

/** What went wrong, in the words of the credential ("service-account key /k.json (sa@p)") and a remedy. */
export interface OAuth2Context {
  description: string;
  remedy: string;
  secrets: string[];
}

export class OAuth2Credentials implements Credentials {
  readonly #client: AuthClient;
  readonly #context: OAuth2Context;
  readonly #logger: Logger;

  constructor(
    client: AuthClient,
    context: OAuth2Context,
    /** The project the credential belongs to (key file `project_id`), if known. */
    readonly projectId: string | undefined,
    logger: Logger = silentLogger,
  ) {
    this.#client = client;
    this.#context = context;
    this.#logger = logger;
  }

  get description(): string {
    return this.#context.description;
  }

  async authorize(request: RequestToSign, signal?: AbortSignal): Promise<void> {
    if (isAborted(signal)) throw new StorageError('aborted', 'token request aborted');
    let token: string | null | undefined;
    try {
      // The library returns its cached token while more than EAGER_REFRESH_MS remain, else refreshes.
      token = (await abortable(this.#client.getAccessToken(), signal)).token;
    } catch (e) {
      if (isAborted(signal)) throw new StorageError('aborted', 'token request aborted', { cause: e });
      const err = describeTokenError(e, this.#context);
      this.#logger.warn('could not obtain an access token', {
        credential: this.description,
        error: err.message,
      });
      throw err;
    }
    if (typeof token !== 'string' || token === '') {
      throw new StorageError(
        'credentials',
        `${this.description}: the token endpoint returned no access token`,
      );
    }
    request.headers['authorization'] = `Bearer ${token}`;
  }

  invalidate(): boolean {
    if (!(this.#client instanceof OAuth2Client)) return false;
    // An expiry in the past makes the next getAccessToken() refresh (and JWT's gtoken force a new grant).
    this.#client.credentials = { ...this.#client.credentials, expiry_date: 1 };
    this.#logger.debug('access token dropped after a 401', { credential: this.description });
    return true;
  }
}

/** Credentials from a JSON key file: a service account (JWT bearer grant) or an `authorized_user` file. */
export async function keyFileCredentials(
  path: string,
  source: string,
  options: OAuth2CommonOptions = {},
): Promise<OAuth2Credentials> {
  const key = await readKeyFile(path, source);
  if (key.type === 'authorized_user') {
    return userCredentials(key, `user credentials ${path}`, options);
  }
  return serviceAccountCredentials(key, path, options);
}

export function serviceAccountCredentials(
  key: ServiceAccountKey,
  path: string,
  options: OAuth2CommonOptions = {},
): OAuth2Credentials {
  const tokenUrl = options.tokenUrl ?? key.tokenUri ?? options.defaultTokenUrl ?? GOOGLE_TOKEN_URL;
  const client = new JWT({
    email: key.clientEmail,
    key: key.privateKey,
    ...(key.privateKeyId === undefined ? {} : { keyId: key.privateKeyId }),
    scopes: [options.readOnly === true ? SCOPE_READ_ONLY : SCOPE_FULL_CONTROL],
    eagerRefreshThresholdMillis: EAGER_REFRESH_MS,
    // The JWT grant hard-codes Google's URL both as `aud` and as the POST target: the claim is overridden
    // here, the target by redirectTokenRequests.
    ...(tokenUrl === GOOGLE_TOKEN_URL ? {} : { additionalClaims: { aud: tokenUrl } }),
  });
  redirectTokenRequests(client, tokenUrl);
  const context: OAuth2Context = {
    description: `service-account key ${path} (${key.clientEmail})`,
    remedy:
      'the key may have been deleted or disabled, or the service account removed: create a new key, ' +
      `or check that ${tokenUrl} is the right token endpoint`,
    secrets: [key.privateKey],
  };
  return new OAuth2Credentials(client, context, key.projectId, options.logger);
}

export interface RefreshTokenInput {
  refreshToken: string;
  clientId: string;
  clientSecret: string;
}

/** A user's refresh token with an OAuth client id/secret, as in .boto `gs_oauth2_refresh_token`. */
export function refreshTokenCredentials(
  input: RefreshTokenInput,
  /** e.g. ".boto gs_oauth2_refresh_token (/home/me/.boto)" */
  source: string,
  options: OAuth2CommonOptions = {},
): OAuth2Credentials {
  return userCredentials(input, `refresh token from ${source}`, options);
}

function userCredentials(
  input: RefreshTokenInput | AuthorizedUserKey,
  what: string,
  options: OAuth2CommonOptions,
): OAuth2Credentials {
  const tokenUrl = options.tokenUrl ?? options.defaultTokenUrl ?? GOOGLE_TOKEN_URL;
  const client = new UserRefreshClient({
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    refreshToken: input.refreshToken,
    endpoints: { oauth2TokenUrl: tokenUrl },
    eagerRefreshThresholdMillis: EAGER_REFRESH_MS,
  });
  const context: OAuth2Context = {
    description: `${what} (OAuth client ${input.clientId})`,
    remedy:
      'the refresh token may have been revoked or expired, or belong to another OAuth client: run ' +
      '`gsutil config` (or `gcloud auth application-default login`) again and check the client id/secret',
    secrets: [input.refreshToken, input.clientSecret],
  };
  const projectId = 'projectId' in input ? input.projectId : undefined;
  return new OAuth2Credentials(client, context, projectId, options.logger);
}

/**
 * Application default credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud's well-known file, then the
 * GCE metadata server (GCE_METADATA_HOST overrides its address). The library reads process.env itself.
 */
export async function applicationDefaultCredentials(
  options: OAuth2CommonOptions = {},
): Promise<OAuth2Credentials> {
  const tokenUrl = options.tokenUrl ?? options.defaultTokenUrl ?? GOOGLE_TOKEN_URL;
  const auth = new GoogleAuth({
    scopes: [options.readOnly === true ? SCOPE_READ_ONLY : SCOPE_FULL_CONTROL],
    clientOptions: { endpoints: { oauth2TokenUrl: tokenUrl }, eagerRefreshThresholdMillis: EAGER_REFRESH_MS },
  });
  let client: AuthClient;
  try {
    client = await auth.getClient();
  } catch (e) {
    // A SyntaxError's message quotes the start of the file, which may be a key: never pass it on.
    const why =
      e instanceof SyntaxError
        ? 'a credentials file is not valid JSON'
        : redactText(e instanceof Error ? e.message : String(e)).slice(0, 300);
    throw new StorageError(
      'credentials',
      'no application default credentials found (no GOOGLE_APPLICATION_CREDENTIALS, no ' +
        `\`gcloud auth application-default login\`, no metadata server): ${why}`,
    );
  }
  redirectTokenRequests(client, tokenUrl);
  if (client instanceof JWT && tokenUrl !== GOOGLE_TOKEN_URL) {
    // As in serviceAccountCredentials; read when the first grant is built, so setting it now is in time.
    client.additionalClaims = { ...client.additionalClaims, aud: tokenUrl };
  }
  const projectId = await auth.getProjectId().catch(() => undefined);
  const context: OAuth2Context = {
    description: `application default credentials (${adcKind(client)})`,
    remedy: 'run `gcloud auth application-default login` again, or check the VM service account and scopes',
    secrets: client instanceof UserRefreshClient && client._refreshToken ? [client._refreshToken] : [],
  };
  return new OAuth2Credentials(client, context, projectId, options.logger);
}

function adcKind(client: AuthClient): string {
  if (client instanceof JWT) return `service account ${client.email ?? 'from a key file'}`;
  if (client instanceof UserRefreshClient) return 'gcloud user login';
  if (client instanceof Compute) return 'metadata server';
  return client.constructor.name;
}

/** Sends requests the library aims at Google's token URL to `tokenUrl` instead (no-op for Google's). */
function redirectTokenRequests(client: AuthClient, tokenUrl: string): void {
  if (tokenUrl === GOOGLE_TOKEN_URL) return;
  const target = new URL(tokenUrl);
  client.transporter.interceptors.request.add({
    resolved: (config) => {
      if (config.url.href === GOOGLE_TOKEN_URL) config.url = new URL(target);
      return Promise.resolve(config);
    },
  });
}

// A function, not an inline test: TypeScript would keep `aborted` narrowed to false across the await.
const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

/** Stops waiting for `p` when the signal fires; `p` itself runs on (the library shares it between callers),
 *  so its eventual failure is swallowed here rather than left unhandled. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  p.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}

interface TokenErrorShape {
  response?: { status?: number; data?: unknown };
  code?: unknown;
  message?: unknown;
}

/** Maps a google-auth-library failure to a StorageError. The library's own error is not kept as the cause:
 *  it carries the request (refresh token, client secret, signed assertion). */
export function describeTokenError(e: unknown, context: OAuth2Context): StorageError {
  const shape = (typeof e === 'object' && e !== null ? e : {}) as TokenErrorShape;
  const status = shape.response?.status;
  const data = shape.response?.data;
  const body = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const oauthError = typeof body['error'] === 'string' ? body['error'] : undefined;
  const detail = typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
  const scrub = (s: string): string => {
    let out = redactText(s);
    for (const secret of context.secrets) if (secret !== '') out = out.split(secret).join('[REDACTED]');
    return out.slice(0, 300);
  };
  let code: StorageErrorCode = 'credentials';
  let message: string;
  if (status === undefined && !(e instanceof gaxios.GaxiosError)) {
    // Not HTTP at all: the library failed locally, e.g. signing with a malformed private key.
    const why = typeof shape.message === 'string' ? shape.message : String(e);
    message = `${context.description}: could not request a token (${scrub(why)}): ${context.remedy}`;
  } else if (status === undefined) {
    code = 'network';
    const why =
      typeof shape.code === 'string' ? shape.code : typeof shape.message === 'string' ? shape.message : '';
    message = `${context.description}: could not reach the token endpoint (${scrub(why)})`;
  } else if (status >= 500 || status === 429) {
    code = status === 429 ? 'rate-limited' : 'unavailable';
    message = `${context.description}: the token endpoint answered HTTP ${status}; try again later`;
  } else {
    const what = oauthError === undefined ? `HTTP ${status}` : `${oauthError}${detail ? `: ${detail}` : ''}`;
    const remedy =
      oauthError === 'invalid_client' || oauthError === 'unauthorized_client'
        ? 'the OAuth client id/secret are wrong or the client was deleted: check them'
        : context.remedy;
    message = `${context.description} was refused by the token endpoint (${scrub(what)}): ${remedy}`;
  }
  return new StorageError(code, message, {
    ...(status === undefined ? {} : { status }),
    ...(oauthError === undefined ? {} : { serviceCode: oauthError }),
  });
}
