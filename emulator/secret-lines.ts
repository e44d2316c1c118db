// Emulator secrets given as text, from the command line (`--hmac ID:SECRET`) or, so that they stay out of
// `ps` and shell history, from files (`--hmac-file`, `--oauth-user-file`): one entry per line, blank lines
// and `#` comments ignored. Pure: main.ts reads the files; a bad line is reported as FILE:LINE.

import type { UserRegistration } from './auth/token-registry.js';

export class SecretLineError extends Error {
  override readonly name = 'SecretLineError';
}

/** `ACCESS_ID:SECRET` (the secret may contain `:`). */
export function parseHmacLine(line: string, where: string): [id: string, secret: string] {
  const colon = line.indexOf(':');
  if (colon <= 0 || colon === line.length - 1)
    throw new SecretLineError(`${where}: expected ACCESS_ID:SECRET`);
  return [line.slice(0, colon), line.slice(colon + 1)];
}

/** `CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN`. */
export function parseOauthUserLine(line: string, where: string): UserRegistration {
  const [clientId, clientSecret, refreshToken, ...rest] = line.split(':');
  if (!clientId || !clientSecret || !refreshToken || rest.length > 0) {
    throw new SecretLineError(`${where}: expected CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN`);
  }
  return { clientId, clientSecret, refreshToken };
}

/** The entries of a secrets file, each with its FILE:LINE for messages. */
export function secretLines(text: string, file: string): { line: string; where: string }[] {
  const out: { line: string; where: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('#')) out.push({ line, where: `${file}:${i + 1}` });
  });
  return out;
}
