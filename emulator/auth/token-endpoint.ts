// `POST /token`, answering like oauth2.googleapis.com/token for the two grants storage clients use: the
// service-account JWT bearer grant and the refresh-token grant (client credentials in the body or as HTTP
// Basic). Decisions about keys and tokens are the registry's and jwt-assertion's; this file maps requests
// to them and failures to Google's JSON error pairs.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SideRoute } from '../hooks.js';
import { GOOGLE_TOKEN_URL, LEGACY_TOKEN_URL, verifyAssertion } from './jwt-assertion.js';
import type { OAuthError } from './jwt-assertion.js';
import { basicCredentials, BodyTooLarge, parseParams, readBody, sendJson } from './oauth-io.js';
import { TOKEN_LIFETIME_SECONDS } from './token-registry.js';
import type { TokenRegistry } from './token-registry.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface TokenEndpointOptions {
  /** Path served (default `/token`). */
  path?: string;
  /** Extra `aud` values to accept besides Google's URLs and `http(s)://<Host>/<path>`. */
  audiences?: readonly string[];
}

type Success = { subject: string; scopes: string[]; includeScope: boolean };

function reply(res: ServerResponse, registry: TokenRegistry, outcome: Success | OAuthError): void {
  if ('error' in outcome) {
    sendJson(res, outcome.status, { error: outcome.error, error_description: outcome.description });
    return;
  }
  const { accessToken } = registry.issue(outcome.subject, outcome.scopes);
  // Google reports one second less than the lifetime it grants; clients refresh early either way.
  const body: Record<string, unknown> = { access_token: accessToken, expires_in: TOKEN_LIFETIME_SECONDS - 1 };
  if (outcome.includeScope) body['scope'] = outcome.scopes.join(' ');
  body['token_type'] = 'Bearer';
  sendJson(res, 200, body);
}

function refreshGrant(
  registry: TokenRegistry,
  params: Map<string, string>,
  authorization: string | undefined,
): Success | OAuthError {
  const basic = basicCredentials(authorization);
  const clientId = params.get('client_id') ?? basic?.id;
  const clientSecret = params.get('client_secret') ?? basic?.secret;
  if (clientId === undefined || clientId === '') {
    return {
      status: 400,
      error: 'invalid_request',
      description: 'Could not determine client ID from request.',
    };
  }
  const known = registry.clientSecret(clientId);
  if (known === undefined) {
    return { status: 401, error: 'invalid_client', description: 'The OAuth client was not found.' };
  }
  if (clientSecret !== known) return { status: 401, error: 'invalid_client', description: 'Unauthorized' };
  const refreshToken = params.get('refresh_token');
  if (refreshToken === undefined || refreshToken === '') {
    return {
      status: 400,
      error: 'invalid_request',
      description: 'Missing required parameter: refresh_token',
    };
  }
  const grant = registry.redeemRefreshToken(refreshToken, clientId);
  if (grant === undefined) {
    return { status: 400, error: 'invalid_grant', description: 'Token has been expired or revoked.' };
  }
  return { ...grant, includeScope: true };
}

async function handle(
  registry: TokenRegistry,
  req: IncomingMessage,
  audiences: readonly string[],
): Promise<Success | OAuthError> {
  const body = await readBody(req);
  const params = parseParams(body, req.headers['content-type']);
  const grantType = params.get('grant_type') ?? '';
  switch (grantType) {
    case JWT_BEARER_GRANT: {
      const assertion = params.get('assertion');
      if (assertion === undefined || assertion === '') {
        return {
          status: 400,
          error: 'invalid_request',
          description: 'Missing required parameter: assertion',
        };
      }
      const verified = verifyAssertion(registry, assertion, audiences, registry.clock.now());
      return 'error' in verified ? verified : { ...verified, includeScope: false };
    }
    case 'refresh_token':
      return refreshGrant(registry, params, req.headers.authorization);
    default:
      return {
        status: 400,
        error: 'unsupported_grant_type',
        description: `Invalid grant_type: ${grantType}`,
      };
  }
}

/** The `POST /token` side route. Tokens it issues are the ones `createAuthenticator` accepts. */
export function tokenEndpoint(registry: TokenRegistry, options: TokenEndpointOptions = {}): SideRoute {
  const path = options.path ?? '/token';
  return async (req, res, url) => {
    if (url.pathname !== path) return false;
    if (req.method !== 'POST') {
      sendJson(
        res,
        405,
        { error: 'invalid_request', error_description: 'Method not allowed.' },
        { Allow: 'POST' },
      );
      return true;
    }
    const host = req.headers.host ?? url.host;
    const audiences = [
      GOOGLE_TOKEN_URL,
      LEGACY_TOKEN_URL,
      `http://${host}${path}`,
      `https://${host}${path}`,
      ...(options.audiences ?? []),
    ];
    try {
      reply(res, registry, await handle(registry, req, audiences));
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      sendJson(res, 413, { error: 'invalid_request', error_description: 'Request body too large.' });
    }
    return true;
  };
}
