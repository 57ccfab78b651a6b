import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_REPLY_TYPE, errorBody, Hydra, type IncomingHandler } from '@hydra-nest/core';
import type { UmfMessage } from '@hydra-nest/umf';
import { ADMIN_ROUTES, AdminApi } from './admin/admin-api.js';
import { RouterStats } from './admin/router-stats.js';
import { sendError } from './http/responses.js';
import { HttpProxy } from './proxy/http-proxy.js';
import {
  resolveRouterOptions,
  type HydraRouterOptions,
  type ResolvedRouterOptions,
  type RouterContext,
  type RouterMount,
} from './router-options.js';
import { RouterStateError } from './router-errors.js';
import { RouteSync } from './routing/route-sync.js';
import { RouteTable } from './routing/route-table.js';

/** This package's version, as `/v1/router/version` reports it. */
export const ROUTER_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const ADMIN_PREFIX = '/v1/router/';

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

interface Running {
  hydra: Hydra;
  sync: RouteSync;
  proxy: HttpProxy;
  admin: AdminApi | undefined;
}

/**
 * The hydra-nest gateway: an HTTP server that routes each request by the route sets services publish
 * (Hydra 1.x and hydra-nest alike) to a present instance, serves hydra-router's admin API, and hosts
 * mounted components (dashboard, WebSocket gateway). It registers in Hydra's registry as the service
 * `hydra-router`, so services send it their route refresh broadcasts.
 *
 * @example
 * const router = new HydraRouter({ port: 8080, redis: { url: 'redis://127.0.0.1:6379/15' } });
 * await router.start();
 * // curl http://127.0.0.1:8080/v1/users/7  -> an instance of the service publishing [get]/v1/users/:id
 * await router.stop();
 */
export class HydraRouter {
  /** Requests, WebSocket messages and errors per service and second (`/v1/router/stats`). */
  readonly stats = new RouterStats();
  /** The route table in memory (what `/v1/router/list/routes` shows). */
  readonly table = new RouteTable();
  /** The HTTP server. */
  readonly server: http.Server;
  private readonly options: ResolvedRouterOptions;
  private readonly mounts: RouterMount[] = [];
  private readonly messageHandlers: IncomingHandler[] = [];
  private running: Running | undefined;
  private state: State = 'new';

  constructor(options: HydraRouterOptions = {}) {
    this.options = resolveRouterOptions(options);
    this.server = http.createServer((req, res) => void this.serve(req, res));
  }

  /** The router's Hydra instance; available once {@link start} resolved. */
  get hydra(): Hydra {
    if (!this.running)
      throw new Error('the router has no Hydra instance before start() resolves; await router.start()');
    return this.running.hydra;
  }

  /** The port the server listens on (the free one picked when the option was 0). */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  /** `http://127.0.0.1:<port>`, for local callers and tests. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Listens, registers as `hydra-router` (with the admin routes when the admin API is on), reads every
   * service's routes, then mounts the plugins. Rejects, leaving nothing running, when the port is taken
   * or Redis cannot be reached.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new RouterStateError('a HydraRouter starts once; create a new one');
    this.state = 'starting';
    const o = this.options;
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(o.port, o.host, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
      const hydra = new Hydra({
        serviceName: o.serviceName,
        serviceType: 'router',
        serviceDescription: 'hydra-nest router (HTTP gateway)',
        serviceVersion: ROUTER_VERSION,
        // A router listening on one address is reachable there only: publish that one.
        serviceIP: o.serviceIP ?? (WILDCARD_HOSTS.has(o.host) ? undefined : o.host),
        servicePort: this.port,
        redis: o.redis,
        keyspace: o.keyspace,
        logger: o.logger,
        routes: o.admin.enabled ? ADMIN_ROUTES : undefined,
      });
      // Never route to a router (itself or another): two routers could send a request round for ever.
      const exclude = [...new Set([o.serviceName, 'hydra-router'])];
      const sync = new RouteSync(hydra, this.table, { exclude, fullRefreshMs: o.routeRefreshMs });
      const proxy = new HttpProxy(hydra, this.table, this.stats, o);
      const admin = o.admin.enabled
        ? new AdminApi({
            hydra,
            table: this.table,
            sync,
            stats: this.stats,
            version: ROUTER_VERSION,
            access: { token: o.admin.token },
            maxBodyBytes: o.maxBodyBytes,
            timeoutMs: o.timeoutMs,
          })
        : undefined;
      this.running = { hydra, sync, proxy, admin };
      hydra.messaging.setHandler((message, broadcast, channel, deadline) =>
        this.receive(message, broadcast, channel, deadline),
      );
      await hydra.start();
      await sync.start();
      const ctx: RouterContext = {
        hydra,
        server: this.server,
        stats: this.stats,
        onMessage: (handler) => this.messageHandlers.push(handler),
        routerRequests: (_message, route) => this.routerRequest(route),
      };
      for (const plugin of o.mounts) this.mounts.push(await plugin(ctx));
      this.state = 'running';
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Mounts a component on a running router (tried before routing, closed at stop). */
  use(mount: RouterMount): void {
    this.mounts.push(mount);
  }

  /**
   * Stops taking requests, closes the mounts, lets the pooled connections go, and deregisters (the
   * instance disappears from the registry at once). Never hangs when Redis is gone.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    for (const mount of this.mounts.splice(0).reverse()) await mount.close?.().catch(() => undefined);
    this.server.closeAllConnections();
    if (this.running) {
      this.running.sync.stop();
      this.running.proxy.close();
      await this.running.hydra.stop();
    }
    if (this.server.listening) await closing;
    this.state = 'stopped';
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (this.state !== 'running' || !this.running) {
        req.resume();
        return sendError(
          res,
          503,
          `the router is ${this.state === 'starting' ? 'starting' : 'stopping'}; try again shortly`,
        );
      }
      for (const mount of this.mounts) if (mount.handle && (await mount.handle(req, res))) return;
      if (this.running.admin && (await this.running.admin.handle(req, res))) return;
      await this.running.proxy.handle(req, res);
    } catch (error) {
      this.options.logger?.error(`router failed on ${req.method} ${req.url}: ${(error as Error).message}`);
      sendError(res, 500, `the router failed on ${req.method} ${req.url}: ${(error as Error).message}`);
    }
  }

  /**
   * A WebSocket client's `[get]/v1/router/...` request, answered with the admin read's `result`.
   * A socket's peer address is not known here, so the localhost rule cannot apply: `version` is
   * answered to all; the other reads only with a configured token, carried as `?token=<token>`.
   */
  private async routerRequest(route: { method: string | undefined; path: string }): Promise<unknown> {
    const admin = this.running?.admin;
    if (!admin || (route.method !== undefined && route.method !== 'get')) return undefined;
    const [path = '', query = ''] = route.path.split('?', 2);
    if (!path.startsWith(ADMIN_PREFIX)) return undefined;
    const [name = '', ...rest] = path.slice(ADMIN_PREFIX.length).split('/');
    const { token } = this.options.admin;
    const allowed =
      name === 'version' || (token !== undefined && new URLSearchParams(query).get('token') === token);
    if (!allowed || name === 'clear') return undefined;
    const answer = await admin.reads.answer(name, rest.join('/'));
    return answer?.statusCode === 200 ? answer.result : undefined;
  }

  /** The router's UMF messages: route refreshes here, everything else to the mounted handlers. */
  private receive(
    message: UmfMessage,
    broadcast: boolean,
    channel: string,
    deadline: number | undefined,
  ): void {
    if (this.running?.sync.handleMessage(message)) return;
    for (const handler of this.messageHandlers) handler(message, broadcast, channel, deadline);
    if (this.messageHandlers.length === 0 && !broadcast && message.rmid === undefined) {
      // A request nobody here serves: say so at once instead of letting the sender wait for its deadline.
      const body = errorBody(
        503,
        'NotServing',
        `${this.options.serviceName} serves no UMF requests for ${message.to}`,
      );
      this.running?.hydra.messaging.reply(message, body, ERROR_REPLY_TYPE).catch(() => undefined);
    }
  }
}

/**
 * Creates and starts a router; resolves once it listens, is registered and knows every route.
 *
 * @example
 * const router = await createRouter({ port: 0, redis: { url } });
 * console.log(`routing on ${router.url}`);
 */
export async function createRouter(options: HydraRouterOptions = {}): Promise<HydraRouter> {
  const router = new HydraRouter(options);
  await router.start();
  return router;
}
