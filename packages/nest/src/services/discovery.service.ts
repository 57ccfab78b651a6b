import { Injectable } from '@nestjs/common';
import type {
  Hydra,
  InstanceInfo,
  HealthSnapshot,
  LoadBalancing,
  NodeInfo,
  ServiceEntry,
  ServiceHealthReport,
} from '@hydra-nest/core';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/**
 * Hydra service discovery: services, instances, nodes, health and published routes, read from the
 * shared registry, so Hydra 1.x services are found as well as hydra-nest ones. Not to be confused with
 * Nest's own `DiscoveryService` (from `@nestjs/core`), which finds providers.
 *
 * @example
 * constructor(private readonly discovery: DiscoveryService) {}
 * async billing() { return this.discovery.pick('billing-svc'); }
 */
@Injectable()
export class DiscoveryService {
  constructor(@InjectHydra() private readonly hydra: Hydra) {}

  /**
   * Every registered service's registry entry (`hydra:service:<svc>:service`).
   *
   * @example
   * const names = (await discovery.services()).map((s) => s.serviceName);
   */
  services(): Promise<ServiceEntry[]> {
    return this.hydra.discovery.services();
  }

  /**
   * The live instances of `service` (presence alive), with their node details, read from Redis now.
   *
   * @example
   * const urls = (await discovery.instances('billing-svc')).map((i) => `http://${i.ip}:${i.port}`);
   */
  instances(service: string): Promise<InstanceInfo[]> {
    return this.hydra.discovery.instances(service);
  }

  /**
   * Every entry of `hydra:service:nodes`, live and dead, with `elapsed` seconds since its update.
   *
   * @example
   * const stale = (await discovery.nodes()).filter((n) => n.elapsed > 60);
   */
  nodes(): Promise<NodeInfo[]> {
    return this.hydra.discovery.nodes();
  }

  /**
   * The health snapshots of the live instances of `service`.
   *
   * @example
   * const snapshots = await discovery.health('billing-svc');
   */
  health(service: string): Promise<HealthSnapshot[]> {
    return this.hydra.discovery.health(service);
  }

  /**
   * Health, flight-recorder log and presence of every service, by service name.
   *
   * @example
   * const { presence } = (await discovery.healthAll())['billing-svc'];
   */
  healthAll(): Promise<Record<string, ServiceHealthReport>> {
    return this.hydra.discovery.healthAll();
  }

  /**
   * The route strings `service` published, sorted (`[get]/v1/users/:id`, ...).
   *
   * @example
   * const routes = await discovery.routes('billing-svc');
   */
  routes(service: string): Promise<string[]> {
    return this.hydra.routes.routesOf(service);
  }

  /**
   * The published routes of every service, by service name.
   *
   * @example
   * const table = await discovery.allRoutes(); // { 'billing-svc': ['[get]/v1/invoices', ...] }
   */
  allRoutes(): Promise<Record<string, string[]>> {
    return this.hydra.routes.allRoutes();
  }

  /**
   * Keeps `service`'s live instances in memory, refreshed in the background (every
   * `discoveryRefreshMs`, and at once when a hydra-nest instance arrives or leaves); resolves the list.
   *
   * @example
   * await discovery.watch('billing-svc');
   */
  watch(service: string): Promise<InstanceInfo[]> {
    return this.hydra.instances.watch(service);
  }

  /**
   * One live instance of `service`, chosen by `strategy` (default round-robin) from memory, or
   * `undefined` when none is present. Watches the service on first use.
   *
   * @example
   * const instance = await discovery.pick('billing-svc');
   * if (instance) await fetch(`http://${instance.ip}:${instance.port}/v1/invoices`);
   */
  async pick(service: string, strategy?: LoadBalancing): Promise<InstanceInfo | undefined> {
    await this.hydra.instances.watch(service);
    return this.hydra.instances.pick(service, strategy);
  }
}
