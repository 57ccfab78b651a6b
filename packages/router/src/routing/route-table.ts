import { compileRoute, matchPath, type CompiledRoute } from './route-pattern.js';

/** One service's route that matches a request. */
export interface RouteMatch {
  service: string;
  route: CompiledRoute;
  /** Path parameters, decoded. */
  params: Record<string, string>;
}

/** What the table says about a request: the routes that answer it (best first), or why none does. */
export type RouteLookup =
  | { kind: 'found'; matches: RouteMatch[] }
  /** Routes match the path, but none for this method; `allow` lists the methods they answer. */
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

interface Entry {
  service: string;
  route: CompiledRoute;
}

/**
 * The published routes of every service, in memory, matched by method and path. Static paths are found
 * in a map, parameter routes by their patterns; when several match, the most specific comes first
 * (then the service name, so that the order never depends on Redis' SCAN order).
 *
 * @example
 * const table = new RouteTable();
 * table.replace('users-svc', ['[get]/v1/users/:id', '[post]/v1/users']);
 * table.lookup('GET', '/v1/users/7'); // { kind: 'found', matches: [{ service: 'users-svc', params: { id: '7' }, ... }] }
 * table.lookup('GET', '/v1/users');   // { kind: 'method-not-allowed', allow: ['POST'] }
 */
export class RouteTable {
  private readonly byService = new Map<string, string[]>();
  private staticRoutes = new Map<string, Entry[]>();
  private paramRoutes: Entry[] = [];

  /** Sets the routes of `service` (replacing what it had); an empty list removes it. */
  replace(service: string, routes: readonly string[]): void {
    if (routes.length === 0) this.byService.delete(service);
    else this.byService.set(service, [...routes].sort());
    this.rebuild();
  }

  /** Sets every service's routes at once; services not in `all` are removed. */
  replaceAll(all: Readonly<Record<string, readonly string[]>>): void {
    this.byService.clear();
    for (const [service, routes] of Object.entries(all)) {
      if (routes.length) this.byService.set(service, [...routes].sort());
    }
    this.rebuild();
  }

  /** Whether `service` has routes in the table. */
  has(service: string): boolean {
    return this.byService.has(service);
  }

  /** The routes of every service, as published, sorted by service. */
  list(): Array<{ serviceName: string; routes: string[] }> {
    return [...this.byService.keys()].sort().map((serviceName) => ({
      serviceName,
      routes: [...this.byService.get(serviceName)!],
    }));
  }

  /** The services in the table. */
  services(): string[] {
    return [...this.byService.keys()];
  }

  /** Finds the routes that answer `method` (any case) on `path` (no query string). */
  lookup(method: string, path: string): RouteLookup {
    const wanted = method.toLowerCase();
    let found = this.collect(wanted, path);
    // `/v1/users/` reaches `/v1/users` when nothing is published with the slash.
    if (found.matches.length === 0 && found.allow.size === 0 && path.length > 1 && path.endsWith('/')) {
      found = this.collect(wanted, path.slice(0, -1));
    }
    if (found.matches.length > 0) {
      found.matches.sort(
        (a, b) =>
          b.route.specificity - a.route.specificity ||
          Number(b.route.method !== undefined) - Number(a.route.method !== undefined) ||
          (a.service < b.service ? -1 : a.service > b.service ? 1 : 0),
      );
      return { kind: 'found', matches: found.matches };
    }
    if (found.allow.size > 0) return { kind: 'method-not-allowed', allow: [...found.allow].sort() };
    return { kind: 'not-found' };
  }

  private collect(method: string, path: string): { matches: RouteMatch[]; allow: Set<string> } {
    const matches: RouteMatch[] = [];
    const allow = new Set<string>();
    const consider = (entry: Entry, params: Record<string, string>) => {
      const routeMethod = entry.route.method;
      if (
        routeMethod === undefined ||
        routeMethod === method ||
        (method === 'head' && routeMethod === 'get')
      ) {
        matches.push({ service: entry.service, route: entry.route, params });
      } else allow.add(routeMethod.toUpperCase());
    };
    for (const entry of this.staticRoutes.get(path) ?? []) consider(entry, {});
    for (const entry of this.paramRoutes) {
      const params = matchPath(entry.route, path);
      if (params) consider(entry, params);
    }
    return { matches, allow };
  }

  private rebuild(): void {
    const staticRoutes = new Map<string, Entry[]>();
    const paramRoutes: Entry[] = [];
    for (const [service, routes] of this.byService) {
      for (const text of routes) {
        const route = compileRoute(text);
        if (!route) continue;
        if (route.regex) paramRoutes.push({ service, route });
        else {
          const list = staticRoutes.get(route.path) ?? [];
          list.push({ service, route });
          staticRoutes.set(route.path, list);
        }
      }
    }
    // Swapped whole: a lookup never sees a half-built table.
    this.staticRoutes = staticRoutes;
    this.paramRoutes = paramRoutes;
  }
}
