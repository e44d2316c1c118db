// A minimal OAuth2 token endpoint (and GCE metadata server) on 127.0.0.1:0 for the oauth2 tests, so
// google-auth-library runs its real flows over real HTTP. Just enough of POST /token: the jwt-bearer grant
// (RS256 assertion verified with the test key) and the refresh_token grant. The emulator serves the real one.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { verify, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface TokenServerOptions {
  /** Service accounts the server knows: email -> public key. */
  serviceAccounts?: Map<string, KeyObject>;
  /** Valid refresh tokens, and the client they belong to. */
  refreshTokens?: Map<string, { clientId: string; clientSecret: string }>;
  /** Seconds until a token expires (default 3600). */
  expiresIn?: number;
  /** Status to answer every POST /token with instead (e.g. 503). */
  failWith?: number;
}

export interface TokenServer {
  url: string;
  tokenUrl: string;
  /** Host:port, for GCE_METADATA_HOST. */
  host: string;
  /** Tokens issued, in order. */
  issued: string[];
  /** JWT claims of each jwt-bearer grant seen. */
  claims: Record<string, unknown>[];
  options: TokenServerOptions;
  close(): Promise<void>;
}

const b64url = (s: string): Buffer => Buffer.from(s, 'base64url');

export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const issued: string[] = [];
  const claims: Record<string, unknown>[] = [];
  let tokenUrl = '';

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const grant = (res: ServerResponse) => {
    const token = `ya29.test-${issued.length + 1}`;
    issued.push(token);
    json(res, 200, { access_token: token, expires_in: options.expiresIn ?? 3600, token_type: 'Bearer' });
  };

  const handleToken = (form: URLSearchParams, res: ServerResponse): void => {
    if (options.failWith !== undefined) {
      json(res, options.failWith, { error: 'internal_failure' });
      return;
    }
    const type = form.get('grant_type');
    if (type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const [h = '', p = '', s = ''] = (form.get('assertion') ?? '').split('.');
      const header = JSON.parse(b64url(h).toString()) as { alg?: string };
      const payload = JSON.parse(b64url(p).toString()) as Record<string, unknown>;
      claims.push(payload);
      const key = options.serviceAccounts?.get(String(payload['iss']));
      const now = Date.now() / 1000;
      const ok =
        header.alg === 'RS256' &&
        key !== undefined &&
        verify('sha256', Buffer.from(`${h}.${p}`), key, b64url(s)) &&
        payload['aud'] === tokenUrl &&
        typeof payload['exp'] === 'number' &&
        payload['exp'] > now &&
        payload['exp'] - now <= 3600 + 60;
      if (!ok) {
        json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
        return;
      }
      grant(res);
      return;
    }
    if (type === 'refresh_token') {
      const known = options.refreshTokens?.get(form.get('refresh_token') ?? '');
      if (!known) {
        json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
        return;
      }
      if (known.clientId !== form.get('client_id') || known.clientSecret !== form.get('client_secret')) {
        json(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
        return;
      }
      grant(res);
      return;
    }
    json(res, 400, { error: 'unsupported_grant_type' });
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === '/token') {
      handleToken(new URLSearchParams(body), res);
      return;
    }
    if (req.method === 'GET' && path?.startsWith('/computeMetadata/v1/')) {
      const flavor = { 'metadata-flavor': 'Google' };
      if (req.headers['metadata-flavor'] !== 'Google') {
        json(res, 403, {}, flavor);
      } else if (path.endsWith('/service-accounts/default/token')) {
        const token = `ya29.metadata-${issued.length + 1}`;
        issued.push(token);
        json(res, 200, { access_token: token, expires_in: 3600, token_type: 'Bearer' }, flavor);
      } else if (path.endsWith('/project/project-id')) {
        res.writeHead(200, { 'content-type': 'text/plain', ...flavor });
        res.end('metadata-project');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', ...flavor });
        res.end('');
      }
      return;
    }
    json(res, 404, { error: 'not_found' });
  };

  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  tokenUrl = `${url}/token`;
  return {
    url,
    tokenUrl,
    host: `127.0.0.1:${port}`,
    issued,
    claims,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
