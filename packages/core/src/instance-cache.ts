import { EventEmitter } from 'node:events';
import type { HydraContext } from './context.js';
import type { Discovery, InstanceInfo } from './discovery.js';
import type { NodeEntry } from './presence.js';
import { repeatEvery, type StopRepeating } from './repeat.js';

/** How an instance is chosen among those present. */
export type LoadBalancing = 'round-robin' | 'random';

/** An arrival or departure that a hydra-nest peer announced. */
export interface InstanceAnnouncement {
  event: 'up' | 'down';
  service: string;
  instanceId: string;
  instance?: NodeEntry & { updatedOnTS?: number };
}

interface ServiceView {
  instances: InstanceInfo[];
  cursor: number;
  /** When the service's presence keys were last SCANned, ms. */
  scannedAt: number;
}

/** How often the instance cache checks and rescans; see {@link InstanceCache}. */
export interface InstanceCacheOptions {
  /** How often known instances are checked for presence (one pipelined EXISTS each), ms. Default 1000. */
  refreshMs?: number;
  /**
   * How often a watched service's presence keys are SCANned for instances that did not announce
   * themselves (Hydra 1.x peers), ms. Default 3000, the age of Hydra's own presence cache.
   */
  discoverMs?: number;
}

/** A presence key outlives a dead instance by up to its TTL; don't resurrect it from a refresh meanwhile. */
const TOMBSTONE_MS = 3500;

/**
 * Instances of the services this process talks to, kept in memory so that choosing one costs no Redis
 * round trip. In the background, known instances are checked every `refreshMs` with one pipelined
 * EXISTS per instance (a departure is noticed within a second), and the service is SCANned for newcomers
 * every `discoverMs` (a SCAN walks the whole keyspace, so it is kept rare). hydra-nest peers' announcements
 * and failed calls update it at once. Emits `change(service, instances)`.
 */
export class InstanceCache extends EventEmitter {
  private readonly views = new Map<string, ServiceView>();
  private readonly loading = new Map<string, Promise<InstanceInfo[]>>();
  private readonly tombstones = new Map<string, number>();
  private stopRefreshing: StopRepeating | undefined;
  private readonly refreshMs: number;
  private readonly discoverMs: number;

  constructor(
    private readonly ctx: HydraContext,
    private readonly discovery: Discovery,
    options: InstanceCacheOptions = {},
  ) {
    super();
    this.refreshMs = options.refreshMs ?? 1000;
    this.discoverMs = options.discoverMs ?? 3000;
  }

  /** Loads `service` on first use (concurrent callers share one load) and keeps it fresh from then on. */
  async watch(service: string): Promise<InstanceInfo[]> {
    const view = this.views.get(service);
    if (view) return view.instances;
    let pending = this.loading.get(service);
    if (!pending) {
      pending = this.load(service).finally(() => this.loading.delete(service));
      this.loading.set(service, pending);
    }
    return pending;
  }

  /** The instances known now, or undefined for a service never watched. Synchronous. */
  peek(service: string): InstanceInfo[] | undefined {
    return this.views.get(service)?.instances;
  }

  /** Whether `service` is watched (its list is in memory). */
  isWatched(service: string): boolean {
    return this.views.has(service);
  }

  /** Chooses an instance from memory, skipping `exclude`; undefined when none is left. */
  pick(
    service: string,
    strategy: LoadBalancing = 'round-robin',
    exclude?: Set<string>,
  ): InstanceInfo | undefined {
    const view = this.views.get(service);
    if (!view || view.instances.length === 0) return undefined;
    const candidates = exclude?.size
      ? view.instances.filter((i) => !exclude.has(i.instanceID))
      : view.instances;
    if (candidates.length === 0) return undefined;
    if (strategy === 'random') return candidates[Math.floor(Math.random() * candidates.length)];
    view.cursor = (view.cursor + 1) % 2 ** 30;
    return candidates[view.cursor % candidates.length];
  }

  /** One known instance of `service`, or undefined. */
  get(service: string, instanceId: string): InstanceInfo | undefined {
    return this.views.get(service)?.instances.find((i) => i.instanceID === instanceId);
  }

  /** Drops an instance at once (it failed a call or announced its departure). */
  markGone(service: string, instanceId: string): void {
    this.tombstones.set(instanceId, Date.now() + TOMBSTONE_MS);
    const view = this.views.get(service);
    if (!view) return;
    const remaining = view.instances.filter((i) => i.instanceID !== instanceId);
    if (remaining.length !== view.instances.length) this.replace(service, view, remaining);
  }

  /** Applies a hydra-nest peer's announcement to a watched service. */
  applyAnnouncement(announcement: InstanceAnnouncement): void {
    const { service, instanceId } = announcement;
    if (announcement.event === 'down') {
      this.markGone(service, instanceId);
      return;
    }
    this.tombstones.delete(instanceId);
    const view = this.views.get(service);
    if (!view || !announcement.instance) return;
    const instance: InstanceInfo = {
      ...announcement.instance,
      updatedOnTS: announcement.instance.updatedOnTS ?? Date.parse(announcement.instance.updatedOn),
    };
    const others = view.instances.filter((i) => i.instanceID !== instanceId);
    this.replace(service, view, [...others, instance]);
  }

  /** Re-reads (SCANs) every watched service now. */
  async refreshAll(): Promise<void> {
    await Promise.all([...this.views.keys()].map((service) => this.refresh(service)));
  }

  /** One background round: rescan the services due for it, check the others' known instances. */
  private async tick(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      [...this.views].map(([service, view]) =>
        now - view.scannedAt >= this.discoverMs ? this.refresh(service) : this.checkPresence(service, view),
      ),
    );
  }

  /** Drops the known instances whose presence key is gone, in one pipelined round trip. */
  private async checkPresence(service: string, view: ServiceView): Promise<void> {
    if (view.instances.length === 0) return;
    const { redis, keys } = this.ctx;
    const pipeline = redis.pipeline();
    for (const instance of view.instances) pipeline.exists(keys.presence(service, instance.instanceID));
    try {
      const results = (await pipeline.exec()) ?? [];
      const alive = view.instances.filter((_, i) => {
        const [error, exists] = results[i] ?? [];
        return error !== null || exists === 1; // keep on error: Redis away is not a departure
      });
      if (alive.length !== view.instances.length) this.replace(service, view, alive);
    } catch (error) {
      this.ctx.logger.debug?.(`presence check of ${service} failed: ${(error as Error).message}`);
    }
  }

  /** Stops background refreshing and forgets everything. */
  close(): void {
    this.stopRefreshing?.();
    this.stopRefreshing = undefined;
    this.views.clear();
  }

  private async load(service: string): Promise<InstanceInfo[]> {
    const instances = this.withoutTombstones(await this.discovery.instances(service));
    const view = this.views.get(service) ?? { instances: [], cursor: -1, scannedAt: Date.now() };
    this.replace(service, view, instances);
    this.views.set(service, view);
    this.ensureTimer();
    return view.instances;
  }

  private async refresh(service: string): Promise<void> {
    try {
      const fresh = this.withoutTombstones(await this.discovery.instances(service));
      const view = this.views.get(service);
      if (!view) return;
      view.scannedAt = Date.now();
      this.replace(service, view, fresh);
    } catch (error) {
      // Redis away: keep the last known list; the connection watcher reports the outage once.
      this.ctx.logger.debug?.(`instance refresh of ${service} failed: ${(error as Error).message}`);
    }
  }

  private replace(service: string, view: ServiceView, instances: InstanceInfo[]): void {
    const before = view.instances
      .map((i) => i.instanceID)
      .sort()
      .join();
    view.instances = instances;
    const after = instances
      .map((i) => i.instanceID)
      .sort()
      .join();
    if (before !== after) this.emit('change', service, instances);
  }

  private withoutTombstones(instances: InstanceInfo[]): InstanceInfo[] {
    if (this.tombstones.size === 0) return instances;
    const now = Date.now();
    for (const [id, until] of this.tombstones) if (until < now) this.tombstones.delete(id);
    return instances.filter((i) => !this.tombstones.has(i.instanceID));
  }

  private ensureTimer(): void {
    this.stopRefreshing ??= repeatEvery(this.refreshMs, () => void this.tick());
  }
}
