// A sliver of the GCE metadata server (`/computeMetadata/v1/...`): the default service account's token,
// email and scopes, and the project id, so clients using compute credentials can be pointed at the emulator
// (GCE_METADATA_HOST). Like the real one it insists on `Metadata-Flavor: Google` and echoes it back.
// Everything else under /computeMetadata/ is a 404; other paths are not ours.

import type { SideRoute } from '../hooks.js';
import { sendJson } from './oauth-io.js';
import { DEFAULT_SCOPES, TOKEN_LIFETIME_SECONDS } from './token-registry.js';
import type { TokenRegistry } from './token-registry.js';

export interface MetadataServerOptions {
  /** Principal of the default service account's tokens. */
  subject?: string;
  scopes?: readonly string[];
  projectId?: string;
}

const PREFIX = '/computeMetadata/';
const ACCOUNT = '/computeMetadata/v1/instance/service-accounts/default/';

export function metadataServer(registry: TokenRegistry, options: MetadataServerOptions = {}): SideRoute {
  const subject = options.subject ?? 'default@emulator.iam.gserviceaccount.com';
  const defaultScopes = [...(options.scopes ?? DEFAULT_SCOPES)];
  const projectId = options.projectId ?? 'emulator-project';

  return (req, res, url) => {
    if (!url.pathname.startsWith(PREFIX)) return Promise.resolve(false);
    const text = (status: number, body: string, type = 'application/text'): void => {
      res.writeHead(status, { 'Content-Type': type, 'Metadata-Flavor': 'Google' });
      res.end(body);
    };
    if (req.headers['metadata-flavor'] !== 'Google') {
      text(403, 'Missing required header "Metadata-Flavor": "Google"\n', 'text/html; charset=UTF-8');
      return Promise.resolve(true);
    }
    if (req.method !== 'GET') {
      text(405, 'Method not allowed\n');
      return Promise.resolve(true);
    }
    switch (url.pathname) {
      case ACCOUNT + 'token': {
        const asked = url.searchParams.get('scopes');
        const scopes = asked !== null && asked !== '' ? asked.split(',') : defaultScopes;
        const { accessToken } = registry.issue(subject, scopes);
        sendJson(
          res,
          200,
          { access_token: accessToken, expires_in: TOKEN_LIFETIME_SECONDS - 1, token_type: 'Bearer' },
          { 'Metadata-Flavor': 'Google' },
        );
        break;
      }
      case ACCOUNT + 'email':
        text(200, subject);
        break;
      case ACCOUNT + 'scopes':
        text(200, defaultScopes.join('\n') + '\n');
        break;
      case '/computeMetadata/v1/project/project-id':
        text(200, projectId);
        break;
      case '/computeMetadata/v1/instance':
      case '/computeMetadata/v1/instance/':
        // gcp-metadata's availability probe only looks at the status and the Metadata-Flavor header.
        text(200, 'service-accounts/\n');
        break;
      default:
        text(404, 'Not Found\n', 'text/html; charset=UTF-8');
    }
    return Promise.resolve(true);
  };
}
