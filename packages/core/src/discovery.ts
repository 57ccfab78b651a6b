import type { HydraContext } from './context.js';
import { readServiceLog, type FlightRecord } from './flight-recorder.js';
import type { HealthSnapshot } from './health.js';
import type { NodeEntry } from './presence.js';
import { parseJsonOrUndefined, scanKeys } from './scan-keys.js';

/** A `hydra:service:<svc>:service` registry entry. */
export interface ServiceEntry {
  serviceName: string;
  type?: string;
  registeredOn: string;
}

/** A live instance: its nodes entry plus `updatedOnTS` (ms), as Hydra's `getServicePresence` gives it. */
export interface InstanceInfo extends NodeEntry {
  updatedOnTS: number;
}

/** A nodes-hash entry (live or dead) plus `elapsed` whole seconds since its last update. */
export interface NodeInfo extends NodeEntry {
  elapsed: number;
}

/** Health, flight-recorder log and presence of one service (Hydra's `getServiceHealthAll` item). */
export interface ServiceHealthReport {
  health: HealthSnapshot[];
  log: FlightRecord[];
  presence: InstanceInfo[];
}

/**
 * Reads Hydra's registry: services, live instances, nodes, health and logs. SCAN only, never KEYS,
 * with every batch of reads in one pipeline. Sees Hydra 1.x and hydra-nest instances alike.
 */
export class Discovery {
  constructor(private readonly ctx: HydraContext) {}

  /** Every registered service (entries that are not valid JSON are skipped). */
  async services(): Promise<ServiceEntry[]> {
    const { redis, keys } = this.ctx;
    const serviceKeys = (await scanKeys(redis, keys.servicesPattern())).filter(
      (key) => keys.serviceFromServiceKey(key) !== undefined,
    );
    if (serviceKeys.length === 0) return [];
    const values = await redis.mget(...serviceKeys);
    return values.flatMap((raw) => {
      const entry = parseJsonOrUndefined<ServiceEntry>(raw);
      return entry && typeof entry.serviceName === 'string' ? [entry] : [];
    });
  }

  /** Ids of the instances of `service` whose presence key is alive. */
  async presentIds(service: string): Promise<string[]> {
    const { redis, keys } = this.ctx;
    const presenceKeys = await scanKeys(redis, keys.presencePattern(service));
    return presenceKeys.flatMap((key) => keys.instanceFromPresenceKey(key) ?? []);
  }

  /** Live instances of `service` (presence key alive and a nodes entry), Hydra's `getServicePresence`. */
  async instances(service: string): Promise<InstanceInfo[]> {
    const ids = await this.presentIds(service);
    if (ids.length === 0) return [];
    const raw = await this.ctx.redis.hmget(this.ctx.keys.nodes(), ...ids);
    return raw.flatMap((value) => {
      const node = parseJsonOrUndefined<NodeEntry>(value);
      return node && typeof node.instanceID === 'string'
        ? [{ ...node, updatedOnTS: Date.parse(node.updatedOn) }]
        : [];
    });
  }

  /** Whether any instance of `service` is present. */
  async hasPresence(service: string): Promise<boolean> {
    return (await this.presentIds(service)).length > 0;
  }

  /** Every nodes entry, live or dead, with `elapsed` seconds (Hydra's `getServiceNodes`). */
  async nodes(): Promise<NodeInfo[]> {
    const all = await this.ctx.redis.hgetall(this.ctx.keys.nodes());
    const now = Date.now();
    return Object.values(all).flatMap((value) => {
      const node = parseJsonOrUndefined<NodeEntry>(value);
      if (!node || typeof node.instanceID !== 'string') return [];
      return [{ ...node, elapsed: Math.floor((now - Date.parse(node.updatedOn)) / 1000) }];
    });
  }

  /** One nodes entry, or undefined. */
  async node(instanceId: string): Promise<NodeEntry | undefined> {
    return parseJsonOrUndefined<NodeEntry>(await this.ctx.redis.hget(this.ctx.keys.nodes(), instanceId));
  }

  /** Health snapshots of the live instances of `service`. */
  async health(service: string): Promise<HealthSnapshot[]> {
    const ids = await this.presentIds(service);
    if (ids.length === 0) return [];
    const values = await this.ctx.redis.mget(...ids.map((id) => this.ctx.keys.health(service, id)));
    return values.flatMap((raw) => {
      const snapshot = parseJsonOrUndefined<HealthSnapshot & { updatedOn?: string }>(raw);
      if (!snapshot) return [];
      delete snapshot.updatedOn;
      return [snapshot];
    });
  }

  /** Health, log and presence of every service, keyed by service name. */
  async healthAll(): Promise<Record<string, ServiceHealthReport>> {
    const services = await this.services();
    const reports = await Promise.all(
      services.map(async ({ serviceName }) => {
        const [health, presence, log] = await Promise.all([
          this.health(serviceName),
          this.instances(serviceName),
          readServiceLog(this.ctx, serviceName),
        ]);
        return [serviceName, { health, log, presence }] as const;
      }),
    );
    return Object.fromEntries(reports);
  }

  /** Removes nodes entries not updated for more than `olderThanSeconds`; returns how many. */
  async removeStaleNodes(olderThanSeconds: number): Promise<number> {
    const stale = (await this.nodes()).filter((n) => n.elapsed > olderThanSeconds).map((n) => n.instanceID);
    return stale.length ? this.ctx.redis.hdel(this.ctx.keys.nodes(), ...stale) : 0;
  }
}
