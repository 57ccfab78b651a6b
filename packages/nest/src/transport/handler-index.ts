import type { UmfMessage, UmfRoute } from '@hydra-nest/umf';

interface ParamPattern<H> {
  method: string | undefined;
  regex: RegExp;
  handler: H;
}

const ROUTE_PATTERN = /^(\[([a-z]+)\])?(\/.*)$/i;

/**
 * Finds the handler of a UMF message in constant time for exact patterns. Precedence:
 * 1. the exact route `[method]/path` of `to`; 2. the exact path (a pattern without a method);
 * 3. the message `typ`; 4. route patterns with parameters (`/v1/images/:id`, `*rest`), in order.
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
    return [...this.exact.keys(), ...this.byType.keys(), ...this.withParams.map((p) => p.regex.source)];
  }

  find(message: UmfMessage, route: UmfRoute): H | undefined {
    const path = route.path || '/';
    if (route.method) {
      const handler = this.exact.get(`[${route.method}]${path}`);
      if (handler) return handler;
    }
    const byPath = this.exact.get(path);
    if (byPath) return byPath;
    if (message.typ) {
      const byType = this.byType.get(message.typ);
      if (byType) return byType;
    }
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
    const method = route[2]?.toLowerCase();
    const path = route[3]!;
    if (!/[:*(]/.test(path)) {
      this.exact.set(method ? `[${method}]${path}` : path, handler);
      return;
    }
    this.withParams.push({ method, regex: compile(path), handler });
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
