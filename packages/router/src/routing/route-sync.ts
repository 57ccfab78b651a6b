import type { Hydra, InstanceInfo } from '@hydra-nest/core';
import type { UmfMessage } from '@hydra-nest/umf';
import type { RouteTable } from './route-table.js';

/** How the route table is kept up to date; see {@link RouteSync}. */
export interface RouteSyncOptions {
  /** Services whose routes are never proxied (the router's own service name). */
  exclude: readonly string[];
  /** Period of the full re-read (a SCAN of the route sets), ms; 0 turns it off. Default 30000. */
  fullRefreshMs?: number;
}

/**
 * Keeps a {@link RouteTable} equal to the route sets services publish, without a Redis round trip per
 * request: everything is read at start; a service's set is read again (one SMEMBERS) when it announces
 * new routes with Hydra's refresh broadcast (`{bdy: {action: 'refresh', serviceName}}` on the
 * `hydra-router` service channel, which Hydra 1.x and hydra-nest services both send), when its instances
 * change, or on `/v1/router/refresh`; a full re-read runs every `fullRefreshMs` as a safety net for a
 * lost broadcast. Every routed service is watched by the instance cache, so an instance is picked from
 * memory.
 */
export class RouteSync {
  /** Refreshes that failed (Redis away); the table keeps its last state meanwhile. */
  failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Map<string, Promise<void>>();
  private readonly instanceCounts = new Map<string, number>();
  private readonly onInstancesChanged = (service: string, instances: InstanceInfo[]) => {
    const before = this.instanceCounts.get(service);
    this.instanceCounts.set(service, instances.length);
    // An instance arrived: it may have published routes that were missed (no router was present then).
    if (before !== undefined && instances.length > before) void this.refresh(service);
  };

  constructor(
    private readonly hydra: Hydra,
    private readonly table: RouteTable,
    private readonly options: RouteSyncOptions,
  ) {}

  /** Reads every route set, watches the routed services and starts the periodic re-read. */
  async start(): Promise<void> {
    this.hydra.instances.on('change', this.onInstancesChanged);
    await this.refresh();
    const every = this.options.fullRefreshMs ?? 30_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.refresh(), every);
      this.timer.unref();
    }
  }

  /** Stops the periodic re-read and the instance listener. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.hydra.instances.off('change', this.onInstancesChanged);
  }

  /**
   * Takes a message from the router's service channel; true when it was Hydra's route refresh
   * broadcast (then the named service's routes, or all, are read again).
   */
  handleMessage(message: UmfMessage): boolean {
    const body = message.bdy as { action?: unknown; serviceName?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || body.action !== 'refresh') return false;
    void this.refresh(typeof body.serviceName === 'string' ? body.serviceName : undefined);
    return true;
  }

  /**
   * Reads the routes of `service` (one SMEMBERS) or of every service (a SCAN and a pipeline) again.
   * Concurrent calls for the same target share one read. Never rejects: on a Redis error the table
   * keeps its last state and `failures` counts it.
   */
  refresh(service?: string): Promise<void> {
    const key = service ?? '*';
    let running = this.pending.get(key);
    if (!running) {
      running = this.read(service).finally(() => this.pending.delete(key));
      this.pending.set(key, running);
    }
    return running;
  }

  private async read(service: string | undefined): Promise<void> {
    try {
      if (service !== undefined) {
        if (this.options.exclude.includes(service)) return;
        this.table.replace(service, await this.hydra.routes.routesOf(service));
        await this.watch([service]);
        return;
      }
      const all = await this.hydra.routes.allRoutes();
      for (const excluded of this.options.exclude) delete all[excluded];
      this.table.replaceAll(all);
      await this.watch(Object.keys(all));
    } catch (error) {
      this.failures++;
      this.hydra.logger.warn(
        `hydra-nest router could not read the routes of ${service ?? 'every service'} ` +
          `(${(error as Error).message}); it keeps routing by the routes it had`,
      );
    }
  }

  /** Loads the instances of newly routed services into the instance cache (once each). */
  private async watch(services: string[]): Promise<void> {
    await Promise.all(
      services.map(async (service) => {
        if (this.hydra.instances.isWatched(service)) {
          this.instanceCounts.set(service, this.hydra.instances.peek(service)?.length ?? 0);
          return;
        }
        const instances = await this.hydra.instances.watch(service);
        this.instanceCounts.set(service, instances.length);
      }),
    );
  }
}
