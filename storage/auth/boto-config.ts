// Finds and reads the .boto files boto/gsutil would read (spec §9.1) and turns the keys gcsmount uses into
// typed BotoSettings; INI lexing lives in ini.ts. It does not choose credentials (resolve.ts does) and does
// not read key files. Unset keys stay undefined so callers can tell "not configured" from a default; the
// defaults boto applies are documented per field and applied by the consumers (endpointFromBoto here).

import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { emptyIni, iniGet, iniLookup, IniError, parseIni, type IniDocument } from './ini.js';

export { IniError as BotoConfigError };

export interface BotoCredentialsSection {
  gsAccessKeyId?: string;
  gsSecretAccessKey?: string;
  gsOauth2RefreshToken?: string;
  gsServiceKeyFile?: string;
  /** Service-account email, only for legacy P12 keys. */
  gsServiceClientId?: string;
  gsServiceKeyFilePassword?: string;
  /** Default storage.googleapis.com. */
  gsHost?: string;
  /** Default 443 (https) or 80 (http). */
  gsPort?: number;
  gsHostHeader?: string;
  awsAccessKeyId?: string;
  awsSecretAccessKey?: string;
}

export interface BotoSection {
  /** Default true. Read like ConfigParser.getboolean (1/yes/true/on, 0/no/false/off). */
  isSecure?: boolean;
  /** Default true. Read like boto's getbool: only "true" (any case) is true. */
  httpsValidateCertificates?: boolean;
  /** A path, or "system" for the system store. */
  caCertificatesFile?: string;
  numRetries?: number;
  /** Seconds. */
  maxRetryDelay?: number;
  /** Seconds. */
  httpSocketTimeout?: number;
  proxy?: string;
  proxyPort?: number;
  proxyUser?: string;
  proxyPass?: string;
  proxyType?: string;
  debug?: number;
}

export interface GsutilSection {
  defaultProjectId?: string;
  defaultApiVersion?: string;
  preferApi?: string;
}

export interface OAuth2Section {
  clientId?: string;
  clientSecret?: string;
  /** Default https://oauth2.googleapis.com/token. */
  providerTokenUri?: string;
  providerAuthorizationUri?: string;
  providerLabel?: string;
  tokenCache?: string;
  tokenCachePathPattern?: string;
  oauth2RefreshRetries?: number;
}

export interface BotoSettings {
  /** Files actually read, in order (later ones override earlier ones key by key). */
  files: string[];
  credentials: BotoCredentialsSection;
  boto: BotoSection;
  gsutil: GsutilSection;
  oauth2: OAuth2Section;
  googleCompute: { serviceAccount?: string };
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface BotoLocation {
  paths: string[];
  /** True when the user named the file (flag or BOTO_CONFIG): then it must exist. */
  required: boolean;
}

const expandHome = (path: string, homeDir: string): string =>
  path === '~' || path.startsWith('~/') ? homeDir + path.slice(1) : path;

/** Which files to read: an explicit path (--boto-config) or BOTO_CONFIG alone; else BOTO_PATH; else the two defaults. */
export function locateBotoConfig(env: Env, homeDir: string, explicitPath?: string): BotoLocation {
  const only = explicitPath ?? env['BOTO_CONFIG'];
  if (only !== undefined && only !== '') return { paths: [expandHome(only, homeDir)], required: true };
  const botoPath = env['BOTO_PATH'];
  if (botoPath !== undefined && botoPath !== '') {
    const paths = botoPath
      .split(':')
      .filter((p) => p !== '')
      .map((p) => expandHome(p, homeDir));
    return { paths, required: false };
  }
  return { paths: ['/etc/boto.cfg', `${homeDir}/.boto`], required: false };
}

export interface LoadBotoOptions {
  env: Env;
  homeDir: string;
  /** The --boto-config flag; wins over BOTO_CONFIG. */
  explicitPath?: string;
}

/** Locates and reads the .boto files. A missing optional file is skipped; any other read error is thrown. */
export async function loadBotoConfig(options: LoadBotoOptions): Promise<BotoSettings> {
  const location = locateBotoConfig(options.env, options.homeDir, options.explicitPath);
  const files: { path: string; text: string }[] = [];
  for (const path of location.paths) {
    try {
      files.push({ path, text: await readFile(path, 'utf8') });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !location.required) continue;
      const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(e)})`;
      const named =
        options.explicitPath !== undefined ? '--boto-config' : location.required ? 'BOTO_CONFIG' : 'boto';
      throw new IniError(`the ${named} file ${why}`, path, 0);
    }
  }
  return parseBotoFiles(files);
}

/** Parses file contents (in reading order) into settings. Pure, for tests and for callers with their own I/O. */
export function parseBotoFiles(files: readonly { path: string; text: string }[]): BotoSettings {
  // boto injects these defaults into every Config; they matter only to %(...)s references.
  const doc = emptyIni();
  doc.defaults.set('working_dir', { raw: '/mnt/pyami', file: '<boto default>', line: 0 });
  doc.defaults.set('debug', { raw: '0', file: '<boto default>', line: 0 });
  for (const f of files) parseIni(f.text, f.path, doc);
  return settingsFrom(
    doc,
    files.map((f) => f.path),
  );
}

function settingsFrom(doc: IniDocument, files: string[]): BotoSettings {
  const r = new Reader(doc);
  const C = 'Credentials';
  const B = 'Boto';
  const G = 'GSUtil';
  const O = 'OAuth2';
  return {
    files,
    credentials: compact({
      gsAccessKeyId: r.str(C, 'gs_access_key_id'),
      gsSecretAccessKey: r.str(C, 'gs_secret_access_key'),
      gsOauth2RefreshToken: r.str(C, 'gs_oauth2_refresh_token'),
      gsServiceKeyFile: r.str(C, 'gs_service_key_file'),
      gsServiceClientId: r.str(C, 'gs_service_client_id'),
      gsServiceKeyFilePassword: r.str(C, 'gs_service_key_file_password'),
      gsHost: r.str(C, 'gs_host'),
      gsPort: r.int(C, 'gs_port'),
      gsHostHeader: r.str(C, 'gs_host_header'),
      awsAccessKeyId: r.str(C, 'aws_access_key_id'),
      awsSecretAccessKey: r.str(C, 'aws_secret_access_key'),
    }),
    boto: compact({
      isSecure: r.strictBool(B, 'is_secure'),
      httpsValidateCertificates: r.bool(B, 'https_validate_certificates'),
      caCertificatesFile: r.str(B, 'ca_certificates_file'),
      numRetries: r.int(B, 'num_retries'),
      maxRetryDelay: r.int(B, 'max_retry_delay'),
      httpSocketTimeout: r.int(B, 'http_socket_timeout'),
      proxy: r.str(B, 'proxy'),
      proxyPort: r.int(B, 'proxy_port'),
      proxyUser: r.str(B, 'proxy_user'),
      proxyPass: r.str(B, 'proxy_pass'),
      proxyType: r.str(B, 'proxy_type'),
      // Only an explicit [Boto] debug counts, not boto's injected DEFAULT.
      debug: doc.sections.get(B)?.has('debug') === true ? r.int(B, 'debug') : undefined,
    }),
    gsutil: compact({
      defaultProjectId: r.str(G, 'default_project_id'),
      defaultApiVersion: r.str(G, 'default_api_version'),
      preferApi: r.str(G, 'prefer_api'),
    }),
    oauth2: compact({
      clientId: r.str(O, 'client_id'),
      clientSecret: r.str(O, 'client_secret'),
      providerTokenUri: r.str(O, 'provider_token_uri'),
      providerAuthorizationUri: r.str(O, 'provider_authorization_uri'),
      providerLabel: r.str(O, 'provider_label'),
      tokenCache: r.str(O, 'token_cache'),
      tokenCachePathPattern: r.str(O, 'token_cache_path_pattern'),
      oauth2RefreshRetries: r.int(O, 'oauth2_refresh_retries'),
    }),
    googleCompute: compact({ serviceAccount: r.str('GoogleCompute', 'service_account') }),
  };
}

/** Drops undefined members, so the result satisfies exactOptionalPropertyTypes. */
function compact<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

class Reader {
  constructor(private readonly doc: IniDocument) {}

  str(section: string, name: string): string | undefined {
    return iniGet(this.doc, section, name);
  }

  /** Python int(): optional sign and digits, surrounding space allowed. */
  int(section: string, name: string): number | undefined {
    const v = this.str(section, name);
    if (v === undefined) return undefined;
    const t = v.trim().replace(/_/g, '');
    if (!/^[+-]?\d+$/.test(t)) this.fail(section, name, `must be an integer, not '${v}'`);
    return Number(t);
  }

  /** boto's Config.getbool: only "true" (any case) is true. */
  bool(section: string, name: string): boolean | undefined {
    const v = this.str(section, name);
    return v === undefined ? undefined : v.trim().toLowerCase() === 'true';
  }

  /** ConfigParser.getboolean: anything but the eight words is an error. */
  strictBool(section: string, name: string): boolean | undefined {
    const v = this.str(section, name);
    if (v === undefined) return undefined;
    const t = v.trim().toLowerCase();
    if (['1', 'yes', 'true', 'on'].includes(t)) return true;
    if (['0', 'no', 'false', 'off'].includes(t)) return false;
    return this.fail(section, name, `must be True or False (or 1/0, yes/no, on/off), not '${v}'`);
  }

  private fail(section: string, name: string, why: string): never {
    const at = iniLookup(this.doc, section, name);
    throw new IniError(`[${section}] ${name} ${why}`, at?.file ?? '<boto>', at?.line ?? 0);
  }
}

export const DEFAULT_XML_HOST = 'storage.googleapis.com';

/** The XML API base URL the .boto describes: is_secure False -> http, gs_host, gs_port (no trailing slash). */
export function endpointFromBoto(settings: BotoSettings): string {
  const secure = settings.boto.isSecure ?? true;
  const host = settings.credentials.gsHost ?? DEFAULT_XML_HOST;
  const port = settings.credentials.gsPort;
  const authority = `${isIPv6(host) ? `[${host}]` : host}${port === undefined ? '' : `:${port}`}`;
  try {
    const url = new URL(`${secure ? 'https' : 'http'}://${authority}`);
    if (url.pathname === '/' && url.search === '' && url.username === '') return url.origin;
  } catch {
    // reported below
  }
  throw new IniError(
    `[Credentials] gs_host '${host}'${port === undefined ? '' : ` with gs_port ${port}`} is not a host ` +
      'name or address (put the port in gs_port)',
    settings.files.at(-1) ?? '.boto',
    0,
  );
}

/** True when the .boto says anything about where the XML API is (so it should override the default). */
export function botoSetsEndpoint(settings: BotoSettings): boolean {
  return (
    settings.credentials.gsHost !== undefined ||
    settings.credentials.gsPort !== undefined ||
    settings.boto.isSecure !== undefined
  );
}
