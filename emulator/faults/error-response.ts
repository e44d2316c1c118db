// The XML error a status fault answers with, worded as GCS words it (spec §7.1-7.2), so client error parsing
// and retry classification are exercised exactly as against the real service. HEAD gets no body.

import type { ServerResponse } from 'node:http';

const BY_STATUS: Record<number, [code: string, message: string]> = {
  400: ['InvalidArgument', 'Invalid argument.'],
  401: ['AuthenticationRequired', 'Authentication required.'],
  403: ['AccessDenied', 'Access denied.'],
  404: ['NoSuchKey', 'The specified key does not exist.'],
  408: [
    'RequestTimeout',
    'Your socket connection to the server was not read from or written to within the timeout period.',
  ],
  409: [
    'OperationAborted',
    'A conflicting operation is currently in progress against this resource. Please try again.',
  ],
  412: ['PreconditionFailed', 'At least one of the pre-conditions you specified did not hold.'],
  429: ['SlowDown', 'Please reduce your request rate.'],
  500: ['InternalError', 'We encountered an internal error. Please try again.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['SlowDown', 'Please reduce your request rate.'],
  504: ['GatewayTimeout', 'Gateway timeout.'],
};

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function faultErrorBody(status: number, code?: string): string {
  const [defaultCode, message] = BY_STATUS[status] ??
    (status >= 500 ? BY_STATUS[500] : BY_STATUS[400]) ?? ['', ''];
  return (
    `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${escapeXml(code ?? defaultCode)}</Code>` +
    `<Message>${escapeXml(message)}</Message><Details>Injected by the emulator's fault rules.</Details></Error>`
  );
}

/** Sends an injected error; the request body, if any, is drained so the connection stays usable. */
export function sendFaultError(
  res: ServerResponse,
  method: string,
  status: number,
  code?: string,
  retryAfterSeconds?: number,
): void {
  const body = method.toUpperCase() === 'HEAD' ? '' : faultErrorBody(status, code);
  const headers: Record<string, string> = {
    'Content-Type': 'application/xml; charset=UTF-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'private, max-age=0',
  };
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  res.writeHead(status, headers);
  res.end(body);
}
