import { createMessage, serializeMessage } from '@hydra-nest/umf';
import type { HydraContext } from './context.js';
import { HydraConfigError } from './errors.js';
import { scanKeys } from './scan-keys.js';

const ROUTE = /^(\[[a-z]+\])?\/\S*$/;

/**
 * Publishes this service's routes in Hydra's format (`[get]/v1/users/:id`) to
 * `hydra:service:<svc>:service:routes`, where hydra-router and callers find them.
 */
export class RouteRegistry {
  private published: string[] | undefined;

  constructor(private readonly ctx: HydraContext) {}

  /**
   * Replaces the route set with `routes` plus Hydra's three defaults (`[get]/S`, `[get]/S/`,
   * `[get]/S/:rest`) in one transaction, then asks any hydra-router present to refresh its table.
   */
  async publish(routes: readonly string[]): Promise<string[]> {
    for (const route of routes) {
      if (typeof route !== 'string' || !ROUTE.test(route)) {
        throw new HydraConfigError(
          `route "${String(route)}" is not a Hydra route; expected "[method]/path" like "[get]/v1/users/:id" or "/path"`,
        );
      }
    }
    const service = this.ctx.identity.serviceName;
    const all = [...new Set([...routes, `[get]/${service}`, `[get]/${service}/`, `[get]/${service}/:rest`])];
    this.published = all;
    await this.write(all);
    await this.notifyRouters();
    return all;
  }

  /** Rewrites the last published set (after Redis lost its data); does nothing before a publish. */
  async republish(): Promise<void> {
    if (this.published) await this.write(this.published);
  }

  /** The routes of one service. */
  async routesOf(service: string): Promise<string[]> {
    return (await this.ctx.redis.smembers(this.ctx.keys.routes(service))).sort();
  }

  /** Every service's routes, `{ service: [routes] }` (Hydra's `getAllServiceRoutes`). */
  async allRoutes(): Promise<Record<string, string[]>> {
    const { redis, keys } = this.ctx;
    const routeKeys = await scanKeys(redis, keys.routesPattern());
    const pipeline = redis.pipeline();
    const services: string[] = [];
    for (const key of routeKeys) {
      const service = keys.serviceFromRoutesKey(key);
      if (service === undefined) continue;
      services.push(service);
      pipeline.smembers(key);
    }
    const results = services.length ? ((await pipeline.exec()) ?? []) : [];
    const all: Record<string, string[]> = {};
    services.forEach((service, i) => {
      const [error, members] = results[i] ?? [];
      if (!error) all[service] = (members as string[]).sort();
    });
    return all;
  }

  private async write(routes: string[]): Promise<void> {
    const key = this.ctx.keys.routes(this.ctx.identity.serviceName);
    await this.ctx.redis
      .multi()
      .del(key)
      .sadd(key, ...routes)
      .exec();
  }

  /** Hydra's refresh broadcast, sent only when a hydra-router instance is present. */
  private async notifyRouters(): Promise<void> {
    const { redis, keys, identity } = this.ctx;
    const routers = await scanKeys(redis, keys.presencePattern('hydra-router'));
    if (routers.length === 0) return;
    const message = createMessage({
      to: 'hydra-router:/refresh',
      frm: `${identity.serviceName}:/`,
      bdy: { action: 'refresh', serviceName: identity.serviceName },
    });
    await redis.publish(keys.serviceChannel('hydra-router'), serializeMessage(message));
  }
}
