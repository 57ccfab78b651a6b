/** A published route string compiled for matching. */
export interface CompiledRoute {
  /** The route string as the service published it, e.g. `[get]/v1/users/:id`. */
  route: string;
  /** Lower-case HTTP method, or undefined when the route answers any method. */
  method: string | undefined;
  /** The path part, e.g. `/v1/users/:id`. */
  path: string;
  /** Names of the path parameters, in order (`*splat` included). */
  params: string[];
  /** Anchored pattern of the path; undefined for a path without parameters (compared as a string). */
  regex: RegExp | undefined;
  /** Higher wins when several routes match: literal characters count, a splat costs. */
  specificity: number;
}

const ROUTE = /^(?:\[([A-Za-z]+)\])?(\/\S*)$/;
const HAS_PARAMS = /[:*()]/;

/**
 * Compiles a Hydra route string (`[get]/v1/users/:id`, `/v1/files/*path`, `[get]/v1/items(/:id)`; the
 * route-parser syntax Hydra's route sets use) into a matcher, or returns undefined for a string that is
 * not a route (foreign members of a route set are skipped, not fatal).
 */
export function compileRoute(route: string): CompiledRoute | undefined {
  const parts = ROUTE.exec(route);
  if (!parts) return undefined;
  const method = parts[1]?.toLowerCase();
  const path = parts[2]!;
  if (!HAS_PARAMS.test(path)) {
    return { route, method, path, params: [], regex: undefined, specificity: path.length * 2 };
  }
  const params: string[] = [];
  let source = '';
  let literal = 0;
  let splats = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === ':' || c === '*') {
      let j = i + 1;
      while (j < path.length && /\w/.test(path[j]!)) j++;
      params.push(path.slice(i + 1, j));
      source += c === ':' ? '([^/]+)' : '(.*)';
      if (c === '*') splats++;
      i = j - 1;
    } else if (c === '(') source += '(?:';
    else if (c === ')') source += ')?';
    else {
      literal++;
      source += c.replace(/[.+?^${}|[\]\\]/g, '\\$&');
    }
  }
  // A parameter route never outranks a literal one of the same length; each splat ranks lower still.
  return {
    route,
    method,
    path,
    params,
    regex: new RegExp(`^${source}$`),
    specificity: literal * 2 - 1 - splats * 64,
  };
}

/** The parameters of `path` under `route` (decoded), or undefined when it does not match. */
export function matchPath(route: CompiledRoute, path: string): Record<string, string> | undefined {
  if (!route.regex) return route.path === path ? {} : undefined;
  const found = route.regex.exec(path);
  if (!found) return undefined;
  const params: Record<string, string> = {};
  route.params.forEach((name, i) => {
    const value = found[i + 1];
    if (value !== undefined) params[name] = safeDecode(value);
  });
  return params;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
