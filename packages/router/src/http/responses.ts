import type { ServerResponse } from 'node:http';

/** Status texts of Hydra's `ServerResponse` (hydra 1.9.3), so tooling reading them sees the same words. */
const STATUS: Record<number, [string, string]> = {
  200: ['OK', 'Request succeeded without error'],
  400: ['Bad Request', 'Request is invalid, missing parameters?'],
  403: ['Forbidden', 'The server understood the request but refuses to authorize it'],
  404: ['Not Found', 'The requested resource was not found on the server'],
  405: ['Method not allowed', 'The HTTP method used is not allowed'],
  413: ['Request Entity Too Large', 'The webserver or proxy believes the request is too large'],
  500: ['Server Error', 'An error occurred on the server'],
  502: ['Bad Gateway', 'The service called failed to answer'],
  503: [
    'Service Unavailable',
    'The server is currently unable to handle the request due to a temporary overloading or maintenance of the server',
  ],
  504: ['Gateway Timeout', 'The service called did not answer in time'],
};

/** Hydra's response object: `{statusCode, statusMessage, statusDescription, result}` plus extra fields. */
export interface HydraStatusBody {
  statusCode: number;
  statusMessage: string;
  statusDescription: string;
  result: unknown;
  [extra: string]: unknown;
}

/** Builds Hydra's response object for `statusCode` with `result` and any extra top-level fields. */
export function statusBody(
  statusCode: number,
  result: unknown = {},
  extra: Record<string, unknown> = {},
): HydraStatusBody {
  const [statusMessage, statusDescription] = STATUS[statusCode] ?? [
    String(statusCode),
    `Unknown statusCode ${statusCode}`,
  ];
  return { statusCode, statusMessage, statusDescription, result, ...extra };
}

/**
 * Sends Hydra's JSON response object (what hydra-router and `makeAPIRequest` answer), unless the
 * response already started; then the connection is cut, the only signal left.
 */
export function sendStatus(
  res: ServerResponse,
  statusCode: number,
  result: unknown = {},
  options: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(statusBody(statusCode, result, options.extra));
  res.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...options.headers,
  });
  res.end(text);
}

/** Sends an error status with `result: {reason}`, Hydra's shape for errors. */
export function sendError(
  res: ServerResponse,
  statusCode: number,
  reason: string,
  headers?: Record<string, string>,
): void {
  sendStatus(res, statusCode, { reason }, { headers });
}
