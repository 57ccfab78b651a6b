import type { UmfMessage, UmfRoute } from '@hydra-nest/umf';

interface ParamPattern<H> {
  pattern: string;
  method: string | undefined;
  regex: RegExp;
  handler: H;
}

/** A route pattern: an optional `[method]`, then a path starting with `/`. Anything else is a `typ`. */
const ROUTE_PATTERN = /^(?:\[([a-z]+)\])?(\/.*)$/i;
/** Characters that make a path a pattern with parameters rather than an exact path. */
const PARAMS = /[:*(]/;

/**
 * Finds the handler of a UMF message, built once when the transport starts listening. Exact patterns
 * are found with one Map lookup each; patterns with parameters are tried in declaration order after.
 *
 * A pattern is a route (`'[post]/v1/images'`, `'/v1/images'`, `'[get]/v1/images/:id'`,
 * `'/v1/files/*rest'`, `'/v1/a(/b)'`) or, when it does not start with `/` or `[method]/`, a message
 * type matched against `typ` (`'image.resize'`).
 *
 * Precedence, first match wins:
 * 1. the exact `[method]/path` of `to` (the query string, if any, is ignored);
 * 2. the message `typ`;
 * 3. the exact path without a method (so `'/'` does not shadow typed messages sent to `svc:/`);
 * 4. patterns with parameters, with or without a method, in declaration order.
 *
 * @example
 * const index = new HandlerIndex([['[get]/v1/users/:id', getUser], ['user.created', onCreated]]);
 * index.find(message, parseRoute(message.to)); // getUser for to = 'users:[get]/v1/users/7'
 */
export class HandlerIndex<H> {
  private readonly exact = new Map<string, H>();
  private readonly byType = new Map<string, H>();
  private readonly withParams: ParamPattern<H>[] = [];

  constructor(patterns: Iterable<[string, H]>) {
    for (const [pattern, handler] of patterns) this.add(pattern, handler);
  }

  /** Every pattern served, for error messages. */
  get patterns(): string[] {
    return [...this.exact.keys(), ...this.byType.keys(), ...this.withParams.map((p) => p.pattern)];
  }

  /** The handler for `message` (whose parsed `to` is `route`), or undefined when none serves it. */
  find(message: UmfMessage, route: UmfRoute): H | undefined {
    let path = route.path || '/';
    const query = path.indexOf('?');
    if (query >= 0) path = path.slice(0, query);
    if (route.method) {
      const handler = this.exact.get(`[${route.method}]${path}`);
      if (handler) return handler;
    }
    if (message.typ) {
      const byType = this.byType.get(message.typ);
      if (byType) return byType;
    }
    const byPath = this.exact.get(path);
    if (byPath) return byPath;
    for (const candidate of this.withParams) {
      if ((!candidate.method || candidate.method === route.method) && candidate.regex.test(path)) {
        return candidate.handler;
      }
    }
    return undefined;
  }

  private add(pattern: string, handler: H): void {
    const route = ROUTE_PATTERN.exec(pattern);
    if (!route) {
      this.byType.set(pattern, handler);
      return;
    }
    const method = route[1]?.toLowerCase();
    const path = route[2]!;
    if (!PARAMS.test(path)) {
      this.exact.set(method ? `[${method}]${path}` : path, handler);
      return;
    }
    this.withParams.push({ pattern, method, regex: compile(path), handler });
  }
}

/** Compiles a route-parser style path (`:param`, `*splat`, `(optional)`) into an anchored regex. */
function compile(path: string): RegExp {
  let source = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === ':' || c === '*') {
      let j = i + 1;
      while (j < path.length && /\w/.test(path[j]!)) j++;
      source += c === ':' ? '([^/]+)' : '(.*)';
      i = j - 1;
    } else if (c === '(') source += '(?:';
    else if (c === ')') source += ')?';
    else source += c.replace(/[.+?^${}|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
