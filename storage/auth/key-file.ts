// Reads and checks a Google credentials JSON file (a service-account key, or an `authorized_user` file as
// gcloud writes for ADC) before google-auth-library sees it, so every local mistake becomes one
// StorageError('credentials') that names the file and says what to do. It never quotes file content:
// JSON.parse messages include a snippet of the text, which here would be a private key.

import { readFile } from 'node:fs/promises';
import { StorageError } from '../errors.js';

export interface ServiceAccountKey {
  type: 'service_account';
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  projectId?: string;
  /** The token endpoint the key names (Google's, or an emulator's). */
  tokenUri?: string;
}

export interface AuthorizedUserKey {
  type: 'authorized_user';
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  projectId?: string;
}

export type KeyFile = ServiceAccountKey | AuthorizedUserKey;

const GET_NEW_KEY =
  'create a new JSON key (IAM & Admin > Service accounts > Keys, or `gcloud iam service-accounts keys create`)';

/**
 * Reads `path`. `source` says where the path came from ("--key-file", "GOOGLE_APPLICATION_CREDENTIALS",
 * ".boto gs_service_key_file") so the message can tell the user which setting to fix.
 */
export async function readKeyFile(path: string, source: string): Promise<KeyFile> {
  const what = `credentials file ${path} (from ${source})`;
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `does not exist: check ${source}`
        : code === 'EACCES'
          ? 'cannot be read (permission denied): make it readable by the user running gcsmount'
          : `cannot be read (${code ?? 'error'})`;
    throw new StorageError('credentials', `${what} ${why}`);
  }
  // Legacy P12 keys are DER (ASN.1 SEQUENCE, 0x30); boto still reads them, gcsmount does not.
  if (text[0] === 0x30) {
    throw new StorageError('credentials', `${what} looks like a legacy P12 key; ${GET_NEW_KEY} instead`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch (e) {
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    throw new StorageError(
      'credentials',
      `${what} is not valid JSON${at ? ` (error at byte ${at[1]})` : ''}; the file may be truncated: ${GET_NEW_KEY}`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new StorageError('credentials', `${what} is not a JSON object; ${GET_NEW_KEY}`);
  }
  const obj = json as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = obj[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const missing = (keys: string[]): void => {
    const absent = keys.filter((k) => str(k) === undefined);
    if (absent.length > 0) {
      throw new StorageError('credentials', `${what} lacks ${absent.join(', ')}; ${GET_NEW_KEY}`);
    }
  };
  const type = str('type') ?? 'service_account';
  const projectId = str('project_id') ?? str('quota_project_id');
  if (type === 'service_account') {
    missing(['client_email', 'private_key']);
    const key: ServiceAccountKey = {
      type,
      clientEmail: str('client_email') ?? '',
      privateKey: str('private_key') ?? '',
    };
    const keyId = str('private_key_id');
    const tokenUri = str('token_uri');
    if (keyId !== undefined) key.privateKeyId = keyId;
    if (projectId !== undefined) key.projectId = projectId;
    if (tokenUri !== undefined) key.tokenUri = tokenUri;
    return key;
  }
  if (type === 'authorized_user') {
    missing(['client_id', 'client_secret', 'refresh_token']);
    const key: AuthorizedUserKey = {
      type,
      clientId: str('client_id') ?? '',
      clientSecret: str('client_secret') ?? '',
      refreshToken: str('refresh_token') ?? '',
    };
    if (projectId !== undefined) key.projectId = projectId;
    return key;
  }
  throw new StorageError(
    'credentials',
    `${what} has type '${type.slice(0, 40)}'; gcsmount reads service_account keys and authorized_user ` +
      'files (for other kinds, e.g. workload identity federation, leave the key file unset and use ADC)',
  );
}
