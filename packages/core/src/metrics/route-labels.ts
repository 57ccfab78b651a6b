import { parseRoute } from '@hydra-nest/umf';

/** Distinct `route` label values kept; any further route is counted under {@link OTHER_ROUTE}. */
export const DEFAULT_MAX_ROUTES = 500;
/** The `route` label of routes past the limit, and of a `to` that does not parse. */
export const OTHER_ROUTE = 'other';

/** Path segments that are values rather than names: numbers, UUIDs, long hex ids. */
const VALUE_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;

/**
 * Turns a UMF `to` into the `route` label of a metric: `service:[method]/path` without the instance
 * prefix or query, with value-like path segments (numbers, UUIDs, hex ids) replaced by `:id`, so that
 * `users-svc:[get]/v1/users/7` and `.../8` count together. At most `maxRoutes` distinct labels: a
 * metric's series must stay bounded whatever paths callers send.
 */
export class RouteLabels {
  private readonly byTo = new Map<string, string>();
  private readonly labels = new Set<string>();

  constructor(private readonly maxRoutes = DEFAULT_MAX_ROUTES) {}

  /** The label of `to`; cached, so a route seen before costs one map lookup. */
  of(to: string): string {
    const known = this.byTo.get(to);
    if (known !== undefined) return known;
    let label = labelOf(to);
    if (!this.labels.has(label)) {
      if (this.labels.size >= this.maxRoutes) label = OTHER_ROUTE;
      else this.labels.add(label);
    }
    // The cache of raw `to` strings is bounded too: past it, labels are worked out each time.
    if (this.byTo.size < this.maxRoutes * 4) this.byTo.set(to, label);
    return label;
  }
}

function labelOf(to: string): string {
  try {
    const route = parseRoute(to);
    const path = (route.path || '/').split('?')[0]!;
    const normalised = path
      .split('/')
      .map((segment) => (VALUE_SEGMENT.test(segment) ? ':id' : segment))
      .join('/');
    return `${route.service}:${route.method ? `[${route.method}]` : ''}${normalised}`;
  } catch {
    return OTHER_ROUTE;
  }
}
