// Picks the credentials for a mount: explicit flags > environment > .boto > application default
// credentials > anonymous (only when allowed). The choice is a pure function (chooseCredentials) so the
// precedence table is tested without files or servers; resolveCredentials then builds the chosen one.
// Within .boto it follows boto and gcs-oauth2-boto-plugin (spec §9.6): OAuth2 beats HMAC.

import { silentLogger, type Logger } from '../../common/logger.js';
import { StorageError } from '../errors.js';
import { AnonymousCredentials } from './anonymous.js';
import { botoSetsEndpoint, endpointFromBoto, type BotoSettings, type Env } from './boto-config.js';
import type { Credentials } from './credentials.js';
import { HmacCredentials, type HmacSigning } from './hmac.js';
// Type only: oauth2.ts (and google-auth-library, 12 MiB resident) is loaded when an OAuth2 credential is
// chosen, so an anonymous or HMAC mount never pays for it.
import type { OAuth2CommonOptions } from './oauth2.js';

export interface ResolveOptions {
  keyFile?: string;
  /** --anonymous: send no credentials. */
  anonymous?: boolean;
  hmacAccessId?: string;
  hmacSecret?: string;
  /** HMAC scheme (default GOOG4; GOOG1 is boto's V2). */
  hmacSigning?: HmacSigning;
  /** Last-resort OAuth client for a .boto refresh token (after [OAuth2] and OAUTH2_CLIENT_*). */
  clientId?: string;
  clientSecret?: string;
  tokenUrl?: string;
  readOnly?: boolean;
  project?: string;
  endpoint?: string;
  /** Fall back to anonymous instead of failing when nothing else is configured. */
  allowAnonymousFallback?: boolean;
  logger?: Logger;
}

export type CredentialChoice =
  | { kind: 'key-file'; path: string; source: string }
  | { kind: 'refresh-token'; refreshToken: string; clientId: string; clientSecret: string; source: string }
  | { kind: 'hmac'; accessId: string; secret: string; source: string }
  | { kind: 'adc'; source: string }
  | { kind: 'anonymous'; source: string };

export interface ResolvedCredentials {
  credentials: Credentials;
  projectId?: string;
  endpoint?: string;
  /** Where the credentials came from, for the start-up log line. */
  source: string;
}

const fail = (message: string): never => {
  throw new StorageError('credentials', message);
};

const set = (v: string | undefined): v is string => v !== undefined && v !== '';

const botoName = (boto: BotoSettings): string =>
  boto.files.length === 0 ? '.boto' : `.boto (${boto.files.join(', ')})`;

/** Which credential to use, by precedence. Throws StorageError('credentials') for contradictory setups. */
export function chooseCredentials(options: ResolveOptions, env: Env, boto: BotoSettings): CredentialChoice {
  // 1. Flags. Two credential flags at once are a mistake, not a precedence question.
  const flagged = [
    options.anonymous === true ? '--anonymous' : undefined,
    options.keyFile !== undefined ? '--key-file' : undefined,
    options.hmacAccessId !== undefined || options.hmacSecret !== undefined ? 'an HMAC key' : undefined,
  ].filter(set);
  if (flagged.length > 1) fail(`${flagged.join(' and ')} contradict each other: choose one`);
  if (options.anonymous === true) return { kind: 'anonymous', source: '--anonymous' };
  if (options.keyFile !== undefined) return { kind: 'key-file', path: options.keyFile, source: '--key-file' };
  if (options.hmacAccessId !== undefined || options.hmacSecret !== undefined) {
    return hmacPair(
      options.hmacAccessId,
      options.hmacSecret,
      'flags',
      'the HMAC access id',
      'the HMAC secret',
    );
  }

  // 2. Environment.
  const gac = env['GOOGLE_APPLICATION_CREDENTIALS'];
  if (set(gac)) return { kind: 'key-file', path: gac, source: 'GOOGLE_APPLICATION_CREDENTIALS' };
  const envId = env['GS_ACCESS_KEY_ID'];
  const envSecret = env['GS_SECRET_ACCESS_KEY'];
  if (set(envId) || set(envSecret)) {
    return hmacPair(envId, envSecret, 'environment', 'GS_ACCESS_KEY_ID', 'GS_SECRET_ACCESS_KEY');
  }

  // 3. .boto, in gcs-oauth2-boto-plugin's order: its OAuth2 handlers win over boto's HMAC one.
  const c = boto.credentials;
  const where = botoName(boto);
  if (set(c.gsOauth2RefreshToken) && set(c.gsServiceKeyFile)) {
    fail(
      `${where} sets both gs_oauth2_refresh_token and gs_service_key_file in [Credentials]; ` +
        'like gsutil, gcsmount needs exactly one: remove the other',
    );
  }
  if (set(c.gsServiceKeyFile)) {
    return { kind: 'key-file', path: c.gsServiceKeyFile, source: `${where} gs_service_key_file` };
  }
  if (set(c.gsOauth2RefreshToken)) {
    // Plugin order: [OAuth2] -> OAUTH2_CLIENT_ID/SECRET -> the fallback (here: the flags).
    const clientId = [boto.oauth2.clientId, env['OAUTH2_CLIENT_ID'], options.clientId].find(set);
    const clientSecret = [boto.oauth2.clientSecret, env['OAUTH2_CLIENT_SECRET'], options.clientSecret].find(
      set,
    );
    if (clientId === undefined || clientSecret === undefined) {
      const missing = [clientId === undefined ? 'id' : '', clientSecret === undefined ? 'secret' : '']
        .filter(set)
        .join(' and ');
      fail(
        `${where} has a gs_oauth2_refresh_token but no OAuth client ${missing}: set [OAuth2] client_id/` +
          'client_secret in the .boto, or OAUTH2_CLIENT_ID/OAUTH2_CLIENT_SECRET, or --client-id/--client-secret-file',
      );
    }
    return {
      kind: 'refresh-token',
      refreshToken: c.gsOauth2RefreshToken,
      clientId: clientId ?? '',
      clientSecret: clientSecret ?? '',
      source: `${where} gs_oauth2_refresh_token`,
    };
  }
  if (set(boto.googleCompute.serviceAccount)) {
    return { kind: 'adc', source: `${where} [GoogleCompute] service_account (metadata server)` };
  }
  if (set(c.gsAccessKeyId) || set(c.gsSecretAccessKey)) {
    return hmacPair(c.gsAccessKeyId, c.gsSecretAccessKey, where, 'gs_access_key_id', 'gs_secret_access_key');
  }

  // 4. Application default credentials (5. anonymous is decided when ADC fails).
  return { kind: 'adc', source: 'application default credentials' };
}

function hmacPair(
  id: string | undefined,
  secret: string | undefined,
  where: string,
  idName: string,
  secretName: string,
): CredentialChoice {
  if (!set(id)) return fail(`${where}: ${secretName} is set but ${idName} is not; set both or neither`);
  if (!set(secret)) return fail(`${where}: ${idName} is set but ${secretName} is not; set both or neither`);
  return { kind: 'hmac', accessId: id, secret, source: `HMAC key from ${where}` };
}

export const NO_CREDENTIALS_HELP =
  'no credentials found. Use one of: --key-file KEY.json; GOOGLE_APPLICATION_CREDENTIALS=KEY.json; ' +
  'a .boto with [Credentials] gs_service_key_file, gs_oauth2_refresh_token, or gs_access_key_id and ' +
  'gs_secret_access_key; `gcloud auth application-default login`; a GCE VM service account; ' +
  'or --anonymous for public buckets';

export interface ResolveDeps {
  /** Application default credentials; replaceable in tests (the library reads process.env). */
  adc?: (options: OAuth2CommonOptions) => Promise<Credentials & { projectId?: string | undefined }>;
}

/** Chooses and builds the credentials, plus the project and endpoint the flags or .boto give. */
export async function resolveCredentials(
  options: ResolveOptions,
  env: Env,
  boto: BotoSettings,
  deps: ResolveDeps = {},
): Promise<ResolvedCredentials> {
  const logger = options.logger ?? silentLogger;
  const choice = chooseCredentials(options, env, boto);
  const oauth: OAuth2CommonOptions = { logger };
  if (options.readOnly === true) oauth.readOnly = true;
  if (options.tokenUrl !== undefined) oauth.tokenUrl = options.tokenUrl;
  if (boto.oauth2.providerTokenUri !== undefined) oauth.defaultTokenUrl = boto.oauth2.providerTokenUri;

  let credentials: Credentials & { projectId?: string | undefined };
  let source = choice.source;
  switch (choice.kind) {
    case 'anonymous':
      credentials = new AnonymousCredentials();
      break;
    case 'hmac':
      credentials = new HmacCredentials({
        accessId: choice.accessId,
        secret: choice.secret,
        ...(options.hmacSigning === undefined ? {} : { signing: options.hmacSigning }),
      });
      break;
    case 'key-file':
      credentials = await (await import('./oauth2.js')).keyFileCredentials(choice.path, choice.source, oauth);
      break;
    case 'refresh-token':
      credentials = (await import('./oauth2.js')).refreshTokenCredentials(choice, choice.source, oauth);
      break;
    case 'adc':
      try {
        credentials = await (deps.adc ?? (await import('./oauth2.js')).applicationDefaultCredentials)(oauth);
      } catch (e) {
        if (options.allowAnonymousFallback !== true) {
          const why = e instanceof Error ? ` (${e.message})` : '';
          throw new StorageError('credentials', `${NO_CREDENTIALS_HELP}${why}`);
        }
        logger.warn('no credentials found; continuing anonymously (public buckets only)', {
          reason: e instanceof Error ? e.message : String(e),
        });
        credentials = new AnonymousCredentials();
        source = 'anonymous (nothing else configured)';
      }
      break;
  }
  if (choice.source.startsWith('.boto') && choice.kind !== 'hmac' && set(boto.credentials.gsAccessKeyId)) {
    logger.info('the .boto also has an HMAC key; using OAuth2, as boto does', { source });
  }

  const result: ResolvedCredentials = { credentials, source };
  const projectId = options.project ?? boto.gsutil.defaultProjectId ?? credentials.projectId;
  if (projectId !== undefined) result.projectId = projectId;
  const endpoint = options.endpoint ?? (botoSetsEndpoint(boto) ? endpointFromBoto(boto) : undefined);
  if (endpoint !== undefined) result.endpoint = endpoint;
  return result;
}
