import { EventEmitter } from 'node:events';
import type { HydraContext } from './context.js';
import type { Discovery, InstanceInfo } from './discovery.js';
import type { NodeEntry } from './presence.js';
import { repeatEvery, type StopRepeating } from './repeat.js';
import { pipelineOf } from './redis-client.js';

/** How an instance is chosen among those present. */
export type LoadBalancing = 'round-robin' | 'random';

/** An arrival or departure that a hydra-nest peer announced (see `Announcer`). */
export interface InstanceAnnouncement {
  event: 'up' | 'down';
  service: string;
  instanceId: string;
  /** The peer's nodes entry; needed for `up` (an `up` without it is ignored). */
  instance?: NodeEntry & { updatedOnTS?: number };
}

/**
 * Where the cache hears hydra-nest peers' announcements (the `Announcer`): it follows a service while
 * watching it, and only then, so that an instance hears the arrivals of the services it talks to only.
 */
export interface AnnouncementFeed {
  /** Starts delivering `service`'s announcements; resolves once they are delivered. Never rejects. */
  follow(service: string): Promise<void>;
  /** Stops delivering them. */
  unfollow(service: string): void;
}

/** Timing of the instance cache's background upkeep; see {@link InstanceCache}. */
export interface InstanceCacheOptions {
  /**
   * How often known instances are checked for presence, ms: one MGET of their presence keys per watched
   * service, in one pipeline, so a departure is noticed within this period (plus the presence TTL after
   * a crash). Default 1000.
   */
  refreshMs?: number;
  /**
   * How often watched services are looked up afresh for instances that did not announce themselves
   * (Hydra 1.x peers), ms: the presence keys of the instances the nodes hash names (see
   * `Discovery.instancesOf`); one round serves every watched service. Sooner when the nodes hash,
   * whose length is checked every `refreshMs`, names a new instance. Default 3000, the age of Hydra's
   * own presence cache.
   */
  discoverMs?: number;
  /**
   * Services watched at most; watching one more forgets the one used least recently (it is loaded
   * again when next used). Every reply to a sender that names no instance watches the sender's service,
   * so without a bound a stream of made-up service names would grow the cache for ever. Default 1024.
   */
  maxServices?: number;
  /** Announcements to follow for each watched service. Default: none (lookups alone). */
  announcements?: AnnouncementFeed;
}

interface ServiceView {
  instances: InstanceInfo[];
  /** Round-robin position. */
  cursor: number;
  /** When the service was last looked up in full (nodes hash and presence keys), ms. */
  scannedAt: number;
  /** When it was last used, on the cache's use counter. */
  usedAt: number;
}

/** A presence key outlives a dead instance by up to its TTL; a refresh must not bring it back meanwhile. */
const TOMBSTONE_MS = 3500;
/** How long an announcement protects an instance from refreshes that began before it, ms. */
const ANNOUNCED_MEMORY_MS = 10_000;

/**
 * Instances of the services this process talks to, kept in memory so that choosing one costs no Redis
 * round trip. In the background, every `refreshMs`, an HLEN of the nodes hash checks for newcomers and
 * one pipeline checks that the known instances of all watched services are still present; every
 * `discoverMs`, or at once when the nodes hash names a new instance, the services are looked up afresh
 * (nodes hash and presence keys, never a SCAN, so the cost does not grow with unrelated keys).
 * hydra-nest peers' announcements ({@link applyAnnouncement}; the cache follows them for each watched
 * service, from before its first lookup until it stops watching it) and failed calls ({@link markGone})
 * update it at once. Redis errors in the background keep the last known lists.
 *
 * Emits `change(service, instances)` whenever the set of instance ids of a watched service changes.
 *
 * @example
 * const cache = new InstanceCache(ctx, new Discovery(ctx));
 * await cache.watch('billing-svc');
 * const target = cache.pick('billing-svc'); // synchronous, from memory
 * cache.on('change', (service, instances) => console.log(service, instances.length));
 */
export class InstanceCache extends EventEmitter {
  private readonly views = new Map<string, ServiceView>();
  private readonly loading = new Map<string, Promise<InstanceInfo[]>>();
  /** Instance id -> until when (ms) refreshes must not re-add it. */
  private readonly tombstones = new Map<string, number>();
  /** Instance id -> when (ms) an announcement added it; a lookup begun earlier must not drop it. */
  private readonly announced = new Map<string, number>();
  private readonly refreshMs: number;
  private readonly discoverMs: number;
  private readonly maxServices: number;
  private readonly feed: AnnouncementFeed | undefined;
  /** Service -> arrivals announced while its first lookup ran, applied once it is watched. */
  private readonly early = new Map<string, InstanceAnnouncement[]>();
  private uses = 0;
  private stopRefreshing: StopRepeating | undefined;
  private ticking = false;
  private refreshing: Promise<void> | undefined;
  /** Bumped by close(), so that loads begun before it are not cached after it. */
  private generation = 0;

  constructor(
    private readonly ctx: HydraContext,
    private readonly discovery: Discovery,
    options: InstanceCacheOptions = {},
  ) {
    super();
    this.refreshMs = options.refreshMs ?? 1000;
    this.discoverMs = options.discoverMs ?? 3000;
    this.maxServices = options.maxServices ?? 1024;
    this.feed = options.announcements;
  }

  /**
   * The live instances of `service`. The first call loads them from Redis (concurrent first calls share
   * one load) and keeps the service fresh in the background from then on; later calls answer from memory.
   */
  async watch(service: string): Promise<InstanceInfo[]> {
    const view = this.views.get(service);
    if (view) {
      view.usedAt = ++this.uses;
      return view.instances;
    }
    let pending = this.loading.get(service);
    if (!pending) {
      pending = this.load(service).finally(() => this.loading.delete(service));
      this.loading.set(service, pending);
    }
    return pending;
  }

  /** The instances known now, or undefined for a service not watched. Synchronous, no Redis. */
  peek(service: string): InstanceInfo[] | undefined {
    return this.views.get(service)?.instances;
  }

  /** The services watched now, each with the number of its instances known. Synchronous, no Redis. */
  watched(): Array<[service: string, instances: number]> {
    return [...this.views].map(([service, view]) => [service, view.instances.length]);
  }

  /** Whether `service` is watched (its list is in memory). */
  isWatched(service: string): boolean {
    return this.views.has(service);
  }

  /**
   * Chooses an instance of a watched service from memory, skipping the ids in `exclude` (e.g. those
   * already tried); undefined when none is left or the service is not watched. Synchronous, no Redis.
   * Round-robin keeps one cursor per service.
   */
  pick(
    service: string,
    strategy: LoadBalancing = 'round-robin',
    exclude?: ReadonlySet<string>,
  ): InstanceInfo | undefined {
    const view = this.views.get(service);
    if (!view) return undefined;
    view.usedAt = ++this.uses;
    if (view.instances.length === 0) return undefined;
    const candidates = exclude?.size
      ? view.instances.filter((i) => !exclude.has(i.instanceID))
      : view.instances;
    if (candidates.length === 0) return undefined;
    if (strategy === 'random') return candidates[Math.floor(Math.random() * candidates.length)];
    view.cursor = (view.cursor + 1) % 2 ** 30;
    return candidates[view.cursor % candidates.length];
  }

  /** One known instance of `service`, or undefined. Synchronous, no Redis. */
  get(service: string, instanceId: string): InstanceInfo | undefined {
    return this.views.get(service)?.instances.find((i) => i.instanceID === instanceId);
  }

  /**
   * Drops an instance at once (it failed a call or announced its departure). Background refreshes do not
   * bring it back for 3.5 s, the time its presence key may outlive it. With `since`, when the failed call
   * was sent: an instance that announced itself since then (it subscribed again meanwhile) is kept.
   */
  markGone(service: string, instanceId: string, since?: number): void {
    if (since !== undefined && (this.announced.get(instanceId) ?? -Infinity) >= since) return;
    this.tombstones.set(instanceId, Date.now() + TOMBSTONE_MS);
    this.announced.delete(instanceId);
    const view = this.views.get(service);
    if (view) this.update(service, view, (list) => list.filter((i) => i.instanceID !== instanceId));
  }

  /** Applies a hydra-nest peer's announcement; only services being watched are affected. */
  applyAnnouncement(announcement: InstanceAnnouncement): void {
    const { service, instanceId, instance } = announcement;
    if (announcement.event === 'down') {
      // The peer removed its nodes entry: a newcomer's entry may leave the hash's length unchanged.
      this.discovery.nodesChanged(service);
      this.markGone(service, instanceId);
      return;
    }
    this.tombstones.delete(instanceId);
    const view = this.views.get(service);
    if (!instance) return;
    if (!view) {
      // Its first lookup is under way and may have missed this newcomer: apply it once it is done.
      this.early.get(service)?.push(announcement);
      return;
    }
    const info: InstanceInfo = {
      ...instance,
      updatedOnTS: instance.updatedOnTS ?? Date.parse(instance.updatedOn),
    };
    this.announced.set(instanceId, Date.now());
    this.update(service, view, (list) => [...list.filter((i) => i.instanceID !== instanceId), info]);
  }

  /**
   * Looks every watched service up afresh now (e.g. before retrying a call that found no instance).
   * Calls made while one runs share it.
   */
  refreshAll(): Promise<void> {
    this.refreshing ??= this.rescan([...this.views.keys()]).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Stops the background upkeep and forgets everything; `watch` starts afresh afterwards. */
  close(): void {
    this.generation++;
    this.stopRefreshing?.();
    this.stopRefreshing = undefined;
    for (const service of this.views.keys()) this.feed?.unfollow(service);
    this.views.clear();
    this.early.clear();
    this.tombstones.clear();
    this.announced.clear();
  }

  /**
   * Follows the service's announcements, then looks it up: an instance that starts meanwhile is either
   * found by the lookup or heard announcing itself (kept in `early` until the view exists).
   */
  private async load(service: string): Promise<InstanceInfo[]> {
    const generation = this.generation;
    const arrivals: InstanceAnnouncement[] = [];
    this.early.set(service, arrivals);
    let found: InstanceInfo[];
    let scannedAt: number;
    try {
      await this.feed?.follow(service);
      scannedAt = Date.now();
      found = (await this.discovery.instancesOf([service])).get(service) ?? [];
    } catch (error) {
      this.stopFollowing(service, arrivals);
      throw error;
    }
    const instances = this.withoutTombstones(found);
    if (generation !== this.generation || this.views.has(service)) {
      if (generation !== this.generation) this.stopFollowing(service, arrivals);
      return this.views.get(service)?.instances ?? instances;
    }
    if (this.early.get(service) === arrivals) this.early.delete(service);
    if (this.views.size >= this.maxServices) this.forgetLeastUsed();
    const view: ServiceView = { instances: [], cursor: -1, scannedAt, usedAt: ++this.uses };
    this.views.set(service, view);
    this.update(service, view, () => instances);
    for (const arrival of arrivals) this.applyAnnouncement(arrival);
    this.stopRefreshing ??= repeatEvery(this.refreshMs, () => void this.tick());
    return view.instances;
  }

  /** Stops watching the service used least recently (rare: only past `maxServices`). */
  private forgetLeastUsed(): void {
    let oldest: [string, ServiceView] | undefined;
    for (const entry of this.views) if (!oldest || entry[1].usedAt < oldest[1].usedAt) oldest = entry;
    if (!oldest) return;
    this.views.delete(oldest[0]);
    this.feed?.unfollow(oldest[0]);
  }

  /** Undoes what a load that did not end in a watched service set up. */
  private stopFollowing(service: string, arrivals: InstanceAnnouncement[]): void {
    if (this.early.get(service) === arrivals) this.early.delete(service);
    if (!this.views.has(service)) this.feed?.unfollow(service);
  }

  /** One background round: look up the services due for it, check the others' known instances. */
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = Date.now();
      for (const [id, at] of this.announced) if (now - at > ANNOUNCED_MEMORY_MS) this.announced.delete(id);
      // A new entry in the nodes hash (a Hydra 1.x peer starting) makes every service due at once.
      const grew = await this.discovery.refreshNodes().catch(() => false);
      const due: string[] = [];
      const check: string[] = [];
      for (const [service, view] of this.views) {
        (grew || now - view.scannedAt >= this.discoverMs ? due : check).push(service);
      }
      await Promise.all([this.rescan(due), this.checkPresence(check)]);
    } finally {
      this.ticking = false;
    }
  }

  /** Re-reads `services` from Redis (see `Discovery.instancesOf`); keeps the last lists on error. */
  private async rescan(services: string[]): Promise<void> {
    if (services.length === 0) return;
    const generation = this.generation;
    const startedAt = Date.now();
    let found: Map<string, InstanceInfo[]>;
    try {
      found = await this.discovery.instancesOf(services);
    } catch (error) {
      // Redis away: keep the last known lists; the connection watcher reports the outage once.
      this.ctx.logger.debug?.(
        `instance refresh of ${services.join(', ')} failed: ${(error as Error).message}`,
      );
      return;
    }
    if (generation !== this.generation) return;
    for (const [service, fresh] of found) {
      const view = this.views.get(service);
      if (!view) continue;
      view.scannedAt = startedAt;
      const ids = new Set(fresh.map((i) => i.instanceID));
      // Keep instances announced while the lookup ran: it may have missed their brand-new keys.
      const announcedSince = view.instances.filter(
        (i) => !ids.has(i.instanceID) && (this.announced.get(i.instanceID) ?? 0) >= startedAt,
      );
      const next = [...this.withoutTombstones(fresh), ...announcedSince];
      this.update(service, view, () => next);
    }
  }

  /**
   * Drops the known instances whose presence key is gone: one MGET of presence keys per service, all
   * in one pipeline.
   */
  private async checkPresence(services: string[]): Promise<void> {
    const { redis, keys } = this.ctx;
    const asked = services.flatMap((service) => {
      const ids = (this.views.get(service)?.instances ?? []).map((i) => i.instanceID);
      return ids.length ? [{ service, ids }] : [];
    });
    if (asked.length === 0) return;
    const startedAt = Date.now();
    const pipeline = pipelineOf(redis);
    for (const { service, ids } of asked) pipeline.mget(...ids.map((id) => keys.presence(service, id)));
    let results: [Error | null, unknown][];
    try {
      results = (await pipeline.exec()) ?? [];
    } catch (error) {
      this.ctx.logger.debug?.(`presence check failed: ${(error as Error).message}`);
      return;
    }
    asked.forEach(({ service, ids }, i) => {
      const [error, values] = results[i] ?? [];
      if (error) return; // an error is not a departure (Redis away)
      // An instance announced meanwhile has a fresh key.
      const gone = new Set(
        ids.filter(
          (id, j) =>
            (values as Array<string | null>)[j] === null && (this.announced.get(id) ?? 0) < startedAt,
        ),
      );
      const view = this.views.get(service);
      if (view && gone.size)
        this.update(service, view, (list) => list.filter((i) => !gone.has(i.instanceID)));
    });
  }

  /** Applies `change` to the current list and emits `change` when the set of ids differs. */
  private update(service: string, view: ServiceView, change: (list: InstanceInfo[]) => InstanceInfo[]): void {
    const before = idsOf(view.instances);
    view.instances = change(view.instances);
    if (idsOf(view.instances) !== before) this.emit('change', service, view.instances);
  }

  private withoutTombstones(instances: InstanceInfo[]): InstanceInfo[] {
    if (this.tombstones.size === 0) return instances;
    const now = Date.now();
    for (const [id, until] of this.tombstones) if (until < now) this.tombstones.delete(id);
    return instances.filter((i) => !this.tombstones.has(i.instanceID));
  }
}

function idsOf(instances: InstanceInfo[]): string {
  return instances
    .map((i) => i.instanceID)
    .sort()
    .join();
}
