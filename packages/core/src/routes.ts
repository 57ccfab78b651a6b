import { randomUUID } from 'node:crypto';
import type { HydraContext } from './context.js';
import { Discovery } from './discovery.js';
import { HydraConfigError } from './errors.js';
import { execOrThrow } from './pipeline.js';
import { explainRefusal, explainRefusals, isRedisPermissionRefusal } from './redis-permission.js';
import { scanKeys } from './scan-keys.js';
import { isCluster, pipelineOf } from './redis-client.js';

/** `[method]/path` or `/path`; no white space (hydra-router splits on it nowhere, but URLs have none). */
const ROUTE = /^(\[[A-Za-z]+\])?\/\S*$/;
const ROUTER_SERVICE = 'hydra-router';
const UMF_VERSION = 'UMF/1.4.6';

/**
 * Publishes this service's routes in Hydra's format (`[get]/v1/users/:id`) to the set
 * `P:S:service:routes`, where hydra-router, hydra-cli and Hydra's `getAllServiceRoutes` read them.
 *
 * @example
 * const routes = new RouteRegistry(ctx);
 * await routes.publish(['[get]/v1/users/:id', '[post]/v1/users']);
 * // after Redis lost its data (the lead's reconnect hook):
 * await routes.republish();
 */
export class RouteRegistry {
  private published: string[] | undefined;

  /** `discovery` finds hydra-router instances; a `Hydra` passes its own, whose view is warm. */
  constructor(
    private readonly ctx: HydraContext,
    private readonly discovery: Discovery = new Discovery(ctx),
  ) {}

  /**
   * Replaces the route set with `routes` plus Hydra's three defaults (`[get]/S`, `[get]/S/`,
   * `[get]/S/:rest`), deduplicated, in one MULTI (DEL, SADD). Then, when a hydra-router instance is
   * present, broadcasts Hydra's refresh message so the router reloads this service's routes. The caller's
   * array is not changed. Resolves the set as written.
   *
   * @throws HydraConfigError naming the first route that is not `[method]/path` or `/path`.
   */
  async publish(routes: readonly string[]): Promise<string[]> {
    const service = this.ctx.identity.serviceName;
    for (const route of routes) {
      if (typeof route !== 'string' || !ROUTE.test(route)) {
        throw new HydraConfigError(
          `route ${JSON.stringify(route)} of ${service} is not a Hydra route; ` +
            'write it as "[method]/path", e.g. "[get]/v1/users/:id", or "/path"',
        );
      }
    }
    const all = [...new Set([...routes, `[get]/${service}`, `[get]/${service}/`, `[get]/${service}/:rest`])];
    await this.write(all);
    this.published = all;
    await this.notifyRouters();
    return [...all];
  }

  /**
   * Rewrites the last published set and notifies routers again, e.g. after Redis came back without its
   * data (Hydra never restores its routes then). Does nothing before the first {@link publish}.
   */
  async republish(): Promise<void> {
    if (!this.published) return;
    await this.write(this.published);
    await this.notifyRouters();
  }

  /** The routes of one service (SMEMBERS), sorted; `[]` when it published none. */
  async routesOf(service: string): Promise<string[]> {
    return (await explainRefusals(this.ctx, this.ctx.redis.smembers(this.ctx.keys.routes(service)))).sort();
  }

  /**
   * Every service's routes, `{ service: [routes] }` like Hydra's `getAllServiceRoutes`: one SCAN (a walk
   * of the whole db: an operator call, not for a timer), then one pipeline of SMEMBERS. Keys that only
   * look like route sets are ignored.
   */
  async allRoutes(): Promise<Record<string, string[]>> {
    const { redis, keys } = this.ctx;
    const found = (await scanKeys(redis, keys.routesPattern())).flatMap((key) => {
      const service = keys.serviceFromRoutesKey(key);
      return service === undefined ? [] : [{ key, service }];
    });
    if (found.length === 0) return {};
    const pipeline = pipelineOf(redis);
    for (const { key } of found) pipeline.smembers(key);
    const results = (await pipeline.exec()) ?? [];
    const all: Record<string, string[]> = {};
    found.forEach(({ service }, i) => {
      const [error, members] = results[i] ?? [];
      if (isRedisPermissionRefusal(error)) throw explainRefusal(error, this.ctx);
      if (!error && Array.isArray(members)) all[service] = (members as string[]).sort();
    });
    return all;
  }

  private async write(routes: string[]): Promise<void> {
    const key = this.ctx.keys.routes(this.ctx.identity.serviceName);
    await execOrThrow(
      this.ctx.redis
        .multi()
        .del(key)
        .sadd(key, ...routes),
      this.ctx,
    );
  }

  /**
   * Hydra's refresh broadcast, only when a hydra-router instance is present (an instance lookup, no
   * SCAN). Best effort: the routes are already written, so a failure here is logged, not thrown.
   */
  private async notifyRouters(): Promise<void> {
    const { redis, keys, identity, logger } = this.ctx;
    try {
      if (!(await this.discovery.hasPresence(ROUTER_SERVICE))) return;
      // Short-form UMF in Hydra's key order; written here so core's registry does not depend on umf.
      const message = {
        to: `${ROUTER_SERVICE}:/refresh`,
        frm: `${identity.serviceName}:/`,
        mid: randomUUID(),
        ts: new Date().toISOString(),
        ver: UMF_VERSION,
        bdy: { action: 'refresh', serviceName: identity.serviceName },
      };
      // On a cluster, service channels are sharded: a classic PUBLISH would reach no instance there.
      const channel = keys.serviceChannel(ROUTER_SERVICE);
      const text = JSON.stringify(message);
      await (isCluster(redis) ? redis.spublish(channel, text) : redis.publish(channel, text));
    } catch (error) {
      logger.warn(
        `routes of ${identity.serviceName} were published but hydra-router could not be told to refresh ` +
          `(${(explainRefusal(error, this.ctx) as Error).message}); call its /v1/router/refresh/${identity.serviceName}`,
      );
    }
  }
}
