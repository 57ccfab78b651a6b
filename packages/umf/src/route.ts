import { kindOf, preview } from './describe.js';
import { UmfRouteError } from './errors/umf-route-error.js';

/**
 * A UMF route (the `to`, `frm` or `via` of a message) split into its parts.
 *
 * Written form: `[instance[-subId]@]service:[[method]]path`, e.g.
 * `c86d0098a8fe4e948630fc5726614f32@users:[get]/v1/users/:id`.
 */
export interface UmfRoute {
  /** Instance id before the `@`, when the route names one instance (Hydra ids are 32 hex chars). */
  instance?: string;
  /** Text after the first `-` of the instance part; hydra-router puts a WebSocket client id here. */
  subId?: string;
  /** Service name, between the `@` (if any) and the first `:`. Never empty. */
  service: string;
  /** HTTP method from a leading `[method]`, lower-cased. */
  method?: string;
  /** Everything after the `:` and the optional `[method]`; may itself contain `:`. May be empty. */
  path: string;
}

const EXPECTED = 'expected "service:/path" or "instance@service:[method]/path"';
const OPEN_BRACKET = 0x5b; // '['

/**
 * Splits a route string into its parts, with Hydra 1.9.3's rules.
 *
 * - An `@` before the first `:` ends an instance prefix; a `-` in that prefix splits off `subId`
 *   (as in Hydra, only up to a second `-`: `a-b-c@` gives instance `a`, subId `b`).
 * - The service runs up to the first `:`; everything after it is the path, so paths may contain `:`.
 * - A path starting with `[` begins a method, which must end with `]`; it is lower-cased and removed
 *   from the path.
 *
 * Unlike Hydra, a route with no `:`, an empty service name or an empty `[]` method is an error
 * (Hydra would publish such a message to a channel nobody listens on), and `http://...` routes get no
 * special treatment (Hydra's branch for them never worked with a port).
 *
 * @throws {@link UmfRouteError} quoting the route, what is wrong and the expected form.
 * @example
 * ```ts
 * parseRoute('abc@svc:[POST]/v1/x:y');
 * // { instance: 'abc', subId: undefined, service: 'svc', method: 'post', path: '/v1/x:y' }
 * ```
 */
export function parseRoute(route: string): UmfRoute {
  if (typeof route !== 'string') {
    throw new UmfRouteError(route, `a route must be a string, got ${kindOf(route)}; ${EXPECTED}`);
  }
  const colon = route.indexOf(':');
  if (colon < 0) {
    throw new UmfRouteError(
      route,
      `route ${preview(route)} has no ":" separating service and path; ${EXPECTED}`,
    );
  }

  let instance: string | undefined;
  let subId: string | undefined;
  let serviceStart = 0;
  const at = route.indexOf('@');
  if (at >= 0 && at < colon) {
    serviceStart = at + 1;
    const dash = route.indexOf('-');
    if (dash >= 0 && dash < at) {
      instance = route.slice(0, dash);
      const secondDash = route.indexOf('-', dash + 1);
      subId = route.slice(dash + 1, secondDash >= 0 && secondDash < at ? secondDash : at);
    } else {
      instance = route.slice(0, at);
    }
    // Hydra treats an empty instance as "no instance"; so do we, rather than carry a '' around.
    if (instance === '') instance = undefined;
    if (subId === '') subId = undefined;
  }

  if (serviceStart === colon) {
    throw new UmfRouteError(route, `route ${preview(route)} has an empty service name; ${EXPECTED}`);
  }
  const service = route.slice(serviceStart, colon);

  let method: string | undefined;
  let pathStart = colon + 1;
  if (route.charCodeAt(pathStart) === OPEN_BRACKET) {
    const close = route.indexOf(']', pathStart);
    if (close < 0) {
      throw new UmfRouteError(
        route,
        `route ${preview(route)} opens an HTTP method with "[" but never closes it with "]"; ` +
          'expected "service:[method]/path", e.g. "users:[get]/v1/users"',
      );
    }
    if (close === pathStart + 1) {
      throw new UmfRouteError(
        route,
        `route ${preview(route)} has an empty "[]" HTTP method; ` +
          'expected "service:[method]/path" with a method such as get or post, or no brackets at all',
      );
    }
    method = route.slice(pathStart + 1, close).toLowerCase();
    pathStart = close + 1;
  }

  // Always the same five keys, so every route object shares one shape.
  return { instance, subId, service, method, path: route.slice(pathStart) };
}

/**
 * Builds Hydra's route-set string for a method and path: `[get]/v1/x`, or just the path without a
 * method. This is the form stored in `hydra:service:S:service:routes` and matched by `matchRoute`.
 *
 * @example
 * ```ts
 * routeKey('GET', '/v1/users/:id'); // '[get]/v1/users/:id'
 * routeKey(undefined, '/v1/users'); // '/v1/users'
 * ```
 */
export function routeKey(method: string | undefined, path: string): string {
  return method ? `[${method.toLowerCase()}]${path}` : path;
}

/**
 * Writes a route back as a string: the inverse of {@link parseRoute}. The method is lower-cased.
 *
 * @throws {@link UmfRouteError} when a part holds a character that would make the result parse
 *   differently (`:` or `@` in the service, `-`, `@` or `:` in the instance or subId, `]` in the
 *   method, an empty service, or a method-less path starting with `[`).
 * @example
 * ```ts
 * formatRoute({ instance: 'abc', subId: 'c1', service: 'hydra-router', path: '/' });
 * // 'abc-c1@hydra-router:/'
 * formatRoute({ service: 'users', method: 'get', path: '/v1/users' }); // 'users:[get]/v1/users'
 * ```
 */
export function formatRoute(r: UmfRoute): string {
  checkPart(r, 'service', r.service, ':@');
  if (r.service === '') throw new UmfRouteError(r, 'cannot format a route with an empty service name');
  checkPart(r, 'instance', r.instance, '-@:');
  checkPart(r, 'subId', r.subId, '-@:');
  checkPart(r, 'method', r.method, ']');
  if (!r.method && r.path.charCodeAt(0) === OPEN_BRACKET) {
    throw new UmfRouteError(
      r,
      `cannot format path ${preview(r.path)} without a method: a leading "[" would read as one`,
    );
  }
  const prefix = r.instance || r.subId ? `${r.instance ?? ''}${r.subId ? `-${r.subId}` : ''}@` : '';
  return `${prefix}${r.service}:${routeKey(r.method, r.path)}`;
}

function checkPart(r: UmfRoute, name: string, value: string | undefined, forbidden: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    throw new UmfRouteError(r, `cannot format a route: ${name} must be a string, got ${kindOf(value)}`);
  }
  for (const ch of forbidden) {
    if (value.includes(ch)) {
      throw new UmfRouteError(
        r,
        `cannot format a route: ${name} ${preview(value)} contains "${ch}", which would not parse back`,
      );
    }
  }
}
