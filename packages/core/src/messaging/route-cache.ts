import { parseRoute, type UmfRoute } from '@hydra-nest/umf';

/** Routes kept; the cache is simply emptied when full (no LRU bookkeeping on the hot path). */
const MAX_ROUTES = 1024;
/** Longer routes are parsed every time: kept, 1,024 routes of megabytes each would be a gigabyte. */
const MAX_ROUTE_LENGTH = 512;

/**
 * Parsed routes by their string. A busy service sends to and hears from the same few routes again and
 * again (`users-svc:[get]/v1/users`, `<id>@web:/`), so each is parsed once (routes of up to 512
 * characters; longer ones, rare and possibly hostile, are parsed every time). The parsed routes are
 * shared: treat them as read-only.
 *
 * @example
 * const routes = new RouteCache();
 * routes.parse('users-svc:[get]/v1/users').service; // 'users-svc', parsed once
 */
export class RouteCache {
  private readonly routes = new Map<string, UmfRoute>();

  /**
   * The parsed route, from the cache when it was parsed before.
   *
   * @throws `UmfRouteError` (from `parseRoute`) when the route is malformed; those are not cached.
   */
  parse(route: string): UmfRoute {
    let parsed = this.routes.get(route);
    if (parsed) return parsed;
    parsed = parseRoute(route);
    if (route.length > MAX_ROUTE_LENGTH) return parsed;
    if (this.routes.size >= MAX_ROUTES) this.routes.clear();
    this.routes.set(route, parsed);
    return parsed;
  }
}
