import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Who may call the admin API; see `HydraRouterOptions.admin`. */
export interface AdminAccessOptions {
  /** Token required of every caller (hydra-router's `routerToken`); without one, only loopback callers. */
  token?: string;
}

/** The verdict on one admin call: undefined when allowed, else why not (for the 403). */
export function adminRefusal(
  req: IncomingMessage,
  query: URLSearchParams,
  options: AdminAccessOptions,
): string | undefined {
  if (options.token) {
    const given = query.get('token') ?? bearer(req.headers.authorization);
    if (given !== undefined && sameText(given, options.token)) return undefined;
    return 'the admin API needs the router token: add ?token=<token> or an "Authorization: Bearer <token>" header';
  }
  // A request relayed by a proxy on this host comes from loopback too: its x-forwarded-for gives it away.
  if (isLoopback(req.socket.remoteAddress) && req.headers['x-forwarded-for'] === undefined) return undefined;
  return (
    'the admin API answers only callers on this host; start the router with a token ' +
    '(--admin-token or HYDRA_ROUTER_TOKEN) to call it from elsewhere with ?token=<token>'
  );
}

/** Whether `address` is a loopback address (IPv4 127/8, IPv6 ::1, or IPv4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function bearer(header: string | undefined): string | undefined {
  const found = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return found?.[1];
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
