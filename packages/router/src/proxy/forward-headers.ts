import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Hop-by-hop headers (RFC 9110, 7.6.1) and those the proxy sets itself: never passed through. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
]);

/**
 * The headers sent to the instance: the client's, less hop-by-hop ones (and those the `connection`
 * header names), with `host` set to the instance and `x-forwarded-for` (appended), `-proto` and `-host`
 * (kept when a proxy before us set them) telling where the request came from.
 */
export function upstreamHeaders(req: IncomingMessage, host: string, port: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const named = connectionTokens(req.headers);
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named?.has(name)) continue;
    headers[name] = value;
  }
  headers.host = `${host}:${port}`;
  const peer = req.socket.remoteAddress ?? '';
  const before = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = before ? `${String(before)}, ${peer}` : peer;
  headers['x-forwarded-proto'] ??= (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  if (req.headers.host) headers['x-forwarded-host'] ??= req.headers.host;
  return headers;
}

/** The instance's response headers for the client, less hop-by-hop ones. */
export function downstreamHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = connectionTokens(headers);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'host') || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function connectionTokens(headers: IncomingHttpHeaders): Set<string> | undefined {
  const value = headers.connection;
  if (!value) return undefined;
  return new Set(
    value
      .toLowerCase()
      .split(',')
      .map((token) => token.trim()),
  );
}
