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
 * cluster) of its routes, its instances' presence, health and flight-recorder lists, beside
 * `QueueAdmin.depths`. All services' reads go out at once: one round trip after the nodes hash.
 */
export class RegistryReader {
  private readonly queues: QueueAdmin;

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
    return new Map(entries);
  }

  private async service(service: string, ask: ServiceAsk): Promise<ServiceRead> {
    const { redis, keys } = this.hydra;
    const pipeline = redis.pipeline().smembers(keys.routes(service));
    for (const id of ask.live) pipeline.exists(keys.presence(service, id)).get(keys.health(service, id));
    const logged = [...ask.live, ...ask.gone];
    if (this.logEntries > 0) {
      for (const id of logged) pipeline.lrange(keys.healthLog(service, id), 0, this.logEntries - 1);
    }
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
    for (const id of ask.live) {
      present.set(id, Number(take()) === 1);
      const snapshot = parseJsonOrUndefined<StoredHealthSnapshot>(take() as string | null);
      if (snapshot && typeof snapshot === 'object') health.set(id, snapshot); // else a foreign value
    }
    const log: ServiceRead['log'] = [];
    if (this.logEntries > 0) {
      for (const id of logged) {
        for (const record of parseFlightRecords(take() as string[])) log.push({ ...record, instanceId: id });
      }
    }
    log.sort(newestFirst);
    return { routes, depths, present, health, log: log.slice(0, this.logEntries) };
  }
}
