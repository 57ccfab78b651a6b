import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type {
  Hydra,
  HydraLogger,
  IncomingHandler,
  KeyspaceOptions,
  LoadBalancing,
  RedisConnectionOptions,
} from '@hydra-nest/core';
import type { UmfMessage } from '@hydra-nest/umf';
import type { RouterStats } from './admin/router-stats.js';
import { RouterConfigError } from './router-errors.js';

/**
 * Something mounted on the router: an HTTP handler tried before routing (the dashboard), and/or a
 * component with resources to release at stop (the WebSocket gateway). `createDashboard(...)` and
 * `attachWebSocketGateway(...)` both return one.
 */
export interface RouterMount {
  /** Serves `req` and resolves true when the path is its own; false lets the router go on. */
  handle?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Releases what it holds; called when the router stops, before Redis is let go. */
  close?(): Promise<void>;
}

/** What a {@link RouterPlugin} gets once the router listens and its Hydra instance runs. */
export interface RouterContext {
  /** The router's Hydra instance (service `hydra-router`). */
  hydra: Hydra;
  /** The router's HTTP server (for upgrades: WebSocket). */
  server: Server;
  /** The router's counters (a WebSocket gateway counts its messages in `stats.ws`). */
  stats: RouterStats;
  /**
   * Receives the UMF messages that reach the router's service and instance channels and are not
   * Hydra's route refresh broadcast (e.g. replies sent to a WebSocket client's `via`). Use this
   * instead of `hydra.messaging.setHandler`, which would displace the router's own handler.
   */
  onMessage(handler: IncomingHandler): void;
  /**
   * Answers a WebSocket client's request to the router itself (`hydra-router:[get]/v1/router/version`)
   * from the admin API: resolves the reply body, or undefined when it is not served (admin off, not a
   * read, or not allowed: `version` for all; the other reads only with a configured admin token, which
   * the path carries as `?token=`). The WebSocket gateway's `routerRequests` option.
   */
  routerRequests(message: UmfMessage, route: { method: string | undefined; path: string }): Promise<unknown>;
}

/**
 * Builds a mount once the router runs; one line each in the composition:
 *
 * @example
 * createRouter({
 *   mounts: [
 *     ({ hydra }) => createDashboard(hydra),
 *     ({ server, hydra, onMessage, routerRequests, stats }) =>
 *       attachWebSocketGateway(server, hydra, { onMessage, routerRequests, countMessage: (s) => stats.ws.count(s) }),
 *   ],
 * });
 */
export type RouterPlugin = (ctx: RouterContext) => RouterMount | Promise<RouterMount>;

/** Every option of the router; only what differs from the defaults needs saying. */
export interface HydraRouterOptions {
  /** Where Redis is (url, sentinel, cluster, ...). Default `redis://127.0.0.1:6379/15`, Hydra's convention. */
  redis?: RedisConnectionOptions;
  /** Key prefix of the registry. Default Hydra's `hydra:service`. */
  keyspace?: KeyspaceOptions;
  /** HTTP port; 0 picks a free one (read it from `router.port`). Default 5353. */
  port?: number;
  /** Address the HTTP server listens on. Default `0.0.0.0` (every IPv4 interface). */
  host?: string;
  /** IP published in the registry. Default: the first non-internal IPv4 address (Hydra's rule). */
  serviceIP?: string;
  /** The router's service name. Default `hydra-router`, so Hydra services send it their route refreshes. */
  serviceName?: string;
  /**
   * A path prefix the routed requests carry and the router strips (`/api` routes `/api/v1/users` by the
   * route `/v1/users` and sends `/v1/users`). The admin API stays at `/v1/router/`. Default none.
   */
  pathPrefix?: string;
  /** Time an instance has to answer with its headers (and longest silence while streaming), ms. Default 30000. */
  timeoutMs?: number;
  /** Largest request body, bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** How an instance is chosen among those present. Default `round-robin`. */
  loadBalancing?: LoadBalancing;
  /** Kept-alive connections per instance at most. Default 256. */
  maxSocketsPerInstance?: number;
  /**
   * hydra-router's admin API at `/v1/router/`: `false` turns it off; `token` (hydra-router's
   * `routerToken`) is then required of every caller, else only callers on this host are served.
   * Default on, localhost only.
   */
  admin?: boolean | { enabled?: boolean; token?: string };
  /** Period of the full route re-read (a safety net for a lost refresh broadcast), ms; 0: off. Default 30000. */
  routeRefreshMs?: number;
  /** Components to mount once running (dashboard, WebSocket gateway); see {@link RouterPlugin}. */
  mounts?: RouterPlugin[];
  /** Where to log. Default: the console. */
  logger?: HydraLogger;
}

/** The options with their defaults applied. */
export type ResolvedRouterOptions = Required<
  Omit<HydraRouterOptions, 'redis' | 'keyspace' | 'serviceIP' | 'admin' | 'logger'>
> &
  Pick<HydraRouterOptions, 'redis' | 'keyspace' | 'serviceIP' | 'logger'> & {
    admin: { enabled: boolean; token?: string };
  };

/** Applies the defaults and checks the values; throws {@link RouterConfigError} naming a bad one. */
export function resolveRouterOptions(options: HydraRouterOptions): ResolvedRouterOptions {
  const admin =
    typeof options.admin === 'object'
      ? { enabled: options.admin.enabled ?? true, token: options.admin.token || undefined }
      : { enabled: options.admin ?? true };
  const resolved: ResolvedRouterOptions = {
    redis: options.redis,
    keyspace: options.keyspace,
    serviceIP: options.serviceIP,
    logger: options.logger,
    port: options.port ?? 5353,
    host: options.host ?? '0.0.0.0',
    serviceName: options.serviceName ?? 'hydra-router',
    pathPrefix: (options.pathPrefix ?? '').replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? 30_000,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    loadBalancing: options.loadBalancing ?? 'round-robin',
    maxSocketsPerInstance: options.maxSocketsPerInstance ?? 256,
    routeRefreshMs: options.routeRefreshMs ?? 30_000,
    mounts: options.mounts ?? [],
    admin,
  };
  const positive = (name: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RouterConfigError(`${name} must be a positive number, got ${value}`);
    }
  };
  positive('timeoutMs', resolved.timeoutMs);
  positive('maxBodyBytes', resolved.maxBodyBytes);
  positive('maxSocketsPerInstance', resolved.maxSocketsPerInstance);
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    throw new RouterConfigError(`port must be an integer from 0 to 65535, got ${resolved.port}`);
  }
  if (resolved.pathPrefix && !resolved.pathPrefix.startsWith('/')) {
    throw new RouterConfigError(`pathPrefix must start with "/", e.g. "/api"; got "${resolved.pathPrefix}"`);
  }
  if (resolved.loadBalancing !== 'round-robin' && resolved.loadBalancing !== 'random') {
    throw new RouterConfigError(
      `loadBalancing must be "round-robin" or "random", got "${String(resolved.loadBalancing)}"`,
    );
  }
  return resolved;
}
