import {
  newestFirst,
  parseFlightRecords,
  parseJsonOrUndefined,
  QueueAdmin,
  type FlightRecord,
  type Hydra,
  type NodeInfo,
  type QueueDepths,
  type StoredHealthSnapshot,
} from '@hydra-nest/core';

/** What one read found for one service. */
export interface ServiceRead {
  routes: string[];
  depths: QueueDepths;
  /** Instance id -> whether its presence key is alive (ids asked as `live`). */
  present: Map<string, boolean>;
  /** Instance id -> its stored health snapshot, when it has one. */
  health: Map<string, StoredHealthSnapshot>;
  /** Newest flight-recorder entries of the asked instances, each tagged with its instance, newest first. */
  log: Array<FlightRecord & { instanceId: string }>;
}

/** Which instances of a service to read: `live` ones get presence, health and log; `gone` ones only log. */
export interface ServiceAsk {
  live: string[];
  gone: string[];
}

/**
 * Reads the registry for the dashboard without walking the keyspace: the nodes hash names every
 * instance and its service (one HGETALL), then per service one pipeline (its keys share a slot on a
 * cluster) of its routes, its instances' presence, health and newest flight-recorder entry, beside
 * `QueueAdmin.depths`. All services' reads go out at once: one round trip after the nodes hash, and one
 * more for the flight-recorder lists that changed since the last read.
 */
export class RegistryReader {
  private readonly queues: QueueAdmin;
  /** Service -> instance id -> its flight-recorder entries as last read. */
  private readonly logCache = new Map<string, Map<string, CachedLog>>();

  constructor(
    private readonly hydra: Hydra,
    private readonly logEntries: number,
  ) {
    this.queues = new QueueAdmin(hydra);
  }

  /** Every nodes-hash entry, live or dead, with `elapsed` seconds since its last write. */
  nodes(): Promise<NodeInfo[]> {
    return this.hydra.discovery.nodes();
  }

  /** Reads every asked service at once. */
  async services(asks: Map<string, ServiceAsk>): Promise<Map<string, ServiceRead>> {
    const entries = await Promise.all(
      [...asks].map(async ([service, ask]) => [service, await this.service(service, ask)] as const),
    );
    this.keepOnly(asks.keys());
    return new Map(entries);
  }

  private async service(service: string, ask: ServiceAsk): Promise<ServiceRead> {
    const { redis, keys } = this.hydra;
    const pipeline = redis.pipeline().smembers(keys.routes(service));
    // Presence and health keys of a service share its slot on a cluster: one MGET for all of them.
    if (ask.live.length > 0) {
      pipeline.mget(
        ...ask.live.map((id) => keys.presence(service, id)),
        ...ask.live.map((id) => keys.health(service, id)),
      );
    }
    const logged = this.logEntries > 0 ? [...ask.live, ...ask.gone] : [];
    // Only each list's newest entry: the whole list is read again only when it changed.
    for (const id of logged) pipeline.lindex(keys.healthLog(service, id), 0);
    const [replies, depths] = await Promise.all([pipeline.exec(), this.queues.depths(service)]);
    let next = 0;
    const take = (): unknown => {
      const [error, value] = replies?.[next++] ?? [new Error('no reply')];
      if (error) throw error;
      return value;
    };
    const routes = (take() as string[]).sort();
    const present = new Map<string, boolean>();
    const health = new Map<string, StoredHealthSnapshot>();
    const values = ask.live.length > 0 ? (take() as Array<string | null>) : [];
    ask.live.forEach((id, i) => {
      present.set(id, values[i] !== null);
      const snapshot = parseJsonOrUndefined<StoredHealthSnapshot>(values[ask.live.length + i]);
      if (snapshot && typeof snapshot === 'object') health.set(id, snapshot); // else a foreign value
    });
    const heads = new Map(logged.map((id) => [id, take() as string | null]));
    const log = (await this.logsOf(service, heads)).sort(newestFirst);
    return { routes, depths, present, health, log: log.slice(0, this.logEntries) };
  }

  /**
   * The entries of each instance's flight recorder, from the cache when its newest entry (`heads`) is
   * the one seen last time, else read again (one pipeline for all that changed).
   */
  private async logsOf(service: string, heads: Map<string, string | null>): Promise<ServiceRead['log']> {
    const { redis, keys } = this.hydra;
    const cached = this.logCache.get(service) ?? new Map<string, CachedLog>();
    const fresh = new Map<string, CachedLog>();
    const changed: string[] = [];
    for (const [id, head] of heads) {
      const entry = cached.get(id);
      if (entry && entry.head === head) fresh.set(id, entry);
      else if (head === null) fresh.set(id, { head, records: [] });
      else changed.push(id);
    }
    if (changed.length > 0) {
      const pipeline = redis.pipeline();
      for (const id of changed) pipeline.lrange(keys.healthLog(service, id), 0, this.logEntries - 1);
      const replies = (await pipeline.exec()) ?? [];
      changed.forEach((id, i) => {
        const [error, raw] = replies[i] ?? [new Error('no reply')];
        if (error) throw error;
        const lines = raw as string[];
        const records = parseFlightRecords(lines).map((record) => ({ ...record, instanceId: id }));
        fresh.set(id, { head: lines[0] ?? null, records });
      });
    }
    if (fresh.size > 0) this.logCache.set(service, fresh);
    else this.logCache.delete(service);
    return [...fresh.values()].flatMap((entry) => entry.records);
  }

  /** Forgets the cached logs of services not read in the last round. */
  keepOnly(services: Iterable<string>): void {
    const kept = new Set(services);
    for (const service of this.logCache.keys()) if (!kept.has(service)) this.logCache.delete(service);
  }
}

interface CachedLog {
  /** The newest entry as stored, or null for an empty list. */
  head: string | null;
  records: ServiceRead['log'];
}
