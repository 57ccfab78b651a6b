import type { HydraContext } from './context.js';
import { newestFirst, parseFlightRecords, type FlightRecord } from './flight-recorder.js';
import type { StoredHealthSnapshot } from './health.js';
import type { NodeEntry } from './presence.js';
import { explainRefusal, explainRefusals } from './redis-permission.js';
import { parseJsonOrUndefined, scanKeys } from './scan-keys.js';

/** A `P:S:service` registry entry, as Hydra's `getServices`/`findService` return it. */
export interface ServiceEntry {
  serviceName: string;
  /** The service's `serviceType`; absent when it configured none. */
  type?: string;
  registeredOn: string;
}

/**
 * A live instance: its nodes entry plus `updatedOnTS` (ms since the epoch), as Hydra's
 * `getServicePresence` gives it. `port` is a string or a number, `version` may be absent.
 */
export interface InstanceInfo extends NodeEntry {
  updatedOnTS: number;
}

/** A nodes-hash entry (live or dead) plus `elapsed`: whole seconds since its last update. */
export interface NodeInfo extends NodeEntry {
  elapsed: number;
}

/** Health snapshots, merged flight-recorder log and live instances of one service. */
export interface ServiceHealthReport {
  health: StoredHealthSnapshot[];
  log: FlightRecord[];
  presence: InstanceInfo[];
}

/** Entries Hydra's readers keep of a flight recorder (Hydra: LRANGE 0 63). */
const LOG_ENTRIES = 64;

/**
 * Reads Hydra's registry: services, live instances, nodes, health and logs, seeing Hydra 1.x and
 * hydra-nest instances alike. SCAN only, never KEYS, and each batch of reads is one round trip. Values
 * that are not JSON (foreign keys in a shared db) are skipped instead of failing the whole read.
 *
 * @example
 * const discovery = new Discovery(ctx);
 * const [first] = await discovery.instances('billing-svc');
 * if (first) console.log(`billing at ${first.ip}:${first.port}`);
 */
export class Discovery {
  constructor(private readonly ctx: HydraContext) {}

  /** Every registered service (SCAN, then one MGET), like Hydra's `getServices`. */
  async services(): Promise<ServiceEntry[]> {
    const { redis, keys } = this.ctx;
    const serviceKeys = (await scanKeys(redis, keys.servicesPattern())).filter(
      (key) => keys.serviceFromServiceKey(key) !== undefined,
    );
    if (serviceKeys.length === 0) return [];
    return (await explainRefusals(this.ctx, redis.mget(...serviceKeys))).flatMap((raw) => {
      const entry = parseJsonOrUndefined<ServiceEntry>(raw);
      return entry && typeof entry.serviceName === 'string' ? [entry] : [];
    });
  }

  /** Ids of the instances of `service` whose presence key is alive (SCAN only). */
  async presentIds(service: string): Promise<string[]> {
    const { redis, keys } = this.ctx;
    return (await scanKeys(redis, keys.presencePattern(service))).flatMap((key) => {
      const parsed = keys.parsePresenceKey(key);
      return parsed?.service === service ? [parsed.instanceId] : [];
    });
  }

  /**
   * Live instances of `service`: presence key alive and a nodes entry (SCAN, then one HMGET), like
   * Hydra's `getServicePresence` but neither cached nor shuffled. `[]` when none is live.
   */
  async instances(service: string): Promise<InstanceInfo[]> {
    return (await this.instancesOf([service])).get(service) ?? [];
  }

  /**
   * Live instances of several services at once, in two round-trip batches: one SCAN (a single pass over
   * every service's presence keys when more than one service is asked), then one pipeline of HMGETs.
   * The instance cache refreshes with it.
   */
  async instancesOf(services: readonly string[]): Promise<Map<string, InstanceInfo[]>> {
    const { redis, keys } = this.ctx;
    const ids = await this.presentIdsOf(services);
    const result = new Map<string, InstanceInfo[]>(services.map((service) => [service, []]));
    const asked = [...ids].filter(([, list]) => list.length > 0);
    if (asked.length === 0) return result;
    const pipeline = redis.pipeline();
    for (const [, list] of asked) pipeline.hmget(keys.nodes(), ...list);
    const replies = (await pipeline.exec()) ?? [];
    asked.forEach(([service], i) => {
      const [error, values] = replies[i] ?? [];
      if (error) throw explainRefusal(error, this.ctx);
      result.set(service, parseInstances(values as Array<string | null>));
    });
    return result;
  }

  private async presentIdsOf(services: readonly string[]): Promise<Map<string, string[]>> {
    const ids = new Map<string, string[]>(services.map((service) => [service, []]));
    if (services.length === 1) {
      ids.set(services[0]!, await this.presentIds(services[0]!));
    } else if (services.length > 1) {
      for (const key of await scanKeys(this.ctx.redis, this.ctx.keys.anyPresencePattern())) {
        const parsed = this.ctx.keys.parsePresenceKey(key);
        if (parsed) ids.get(parsed.service)?.push(parsed.instanceId);
      }
    }
    return ids;
  }

  /** Whether any instance of `service` has a live presence key (Hydra's `hasServicePresence`). */
  async hasPresence(service: string): Promise<boolean> {
    return (await this.presentIds(service)).length > 0;
  }

  /** Every nodes entry, live or dead, with `elapsed` seconds (Hydra's `getServiceNodes`; one HGETALL). */
  async nodes(): Promise<NodeInfo[]> {
    const now = Date.now();
    const all = await explainRefusals(this.ctx, this.ctx.redis.hgetall(this.ctx.keys.nodes()));
    return Object.values(all).flatMap((value) => {
      const node = parseNode(value);
      return node ? [withElapsed(node, now)] : [];
    });
  }

  /** One nodes entry with `elapsed`, live or dead, or undefined when there is none. */
  async node(instanceId: string): Promise<NodeInfo | undefined> {
    const node = parseNode(
      await explainRefusals(this.ctx, this.ctx.redis.hget(this.ctx.keys.nodes(), instanceId)),
    );
    return node && withElapsed(node, Date.now());
  }

  /**
   * Health snapshots (as stored, `updatedOn` included) of the live instances of `service`: SCAN, then one
   * MGET. Instances whose snapshot is missing (e.g. in a Hydra peer's 2 s gap) are left out.
   */
  async health(service: string): Promise<StoredHealthSnapshot[]> {
    const ids = await this.presentIds(service);
    if (ids.length === 0) return [];
    const keys = ids.map((id) => this.ctx.keys.health(service, id));
    const values = await explainRefusals(this.ctx, this.ctx.redis.mget(...keys));
    return parseSnapshots(values);
  }

  /**
   * Health, merged flight-recorder log (newest 64 entries) and live instances of every registered
   * service, keyed by service name: the content of Hydra's `getServiceHealthAll` (which returns an array
   * of the same triples and only one instance's log). One SCAN for presence, one per service for logs,
   * then one pipeline.
   */
  async healthAll(): Promise<Record<string, ServiceHealthReport>> {
    const { redis, keys } = this.ctx;
    const names = [...new Set((await this.services()).map((s) => s.serviceName))];
    const [ids, logKeys] = await Promise.all([
      this.presentIdsOf(names),
      Promise.all(names.map((service) => scanKeys(redis, keys.healthLogPattern(service)))),
    ]);
    const found = names.map((service, i) => ({ service, ids: ids.get(service)!, logKeys: logKeys[i]! }));
    const pipeline = redis.pipeline();
    for (const { service, ids, logKeys } of found) {
      if (ids.length > 0) {
        pipeline.hmget(keys.nodes(), ...ids);
        pipeline.mget(...ids.map((id) => keys.health(service, id)));
      }
      for (const key of logKeys) pipeline.lrange(key, 0, LOG_ENTRIES - 1);
    }
    const replies = found.some((f) => f.ids.length || f.logKeys.length)
      ? ((await pipeline.exec()) ?? [])
      : [];
    let next = 0;
    const take = (): unknown => {
      const [error, value] = replies[next++] ?? [];
      if (error) throw explainRefusal(error, this.ctx);
      return value;
    };
    const all: Record<string, ServiceHealthReport> = {};
    for (const { service, ids, logKeys } of found) {
      const presence = ids.length ? parseInstances(take() as Array<string | null>) : [];
      const health = ids.length ? parseSnapshots(take() as Array<string | null>) : [];
      const log = logKeys.flatMap(() => parseFlightRecords(take() as string[])).sort(newestFirst);
      all[service] = { health, log: log.slice(0, LOG_ENTRIES), presence };
    }
    return all;
  }

  /**
   * Removes the nodes entries not updated for more than `olderThanSeconds` (dead instances: Hydra never
   * removes them), like `hydra-cli refresh node list` (60) or hydra-router's `/v1/router/clear` (5).
   * Returns how many were removed. Use a threshold well above the presence period (1 s).
   */
  async removeStaleNodes(olderThanSeconds: number): Promise<number> {
    const stale = (await this.nodes()).filter((n) => n.elapsed > olderThanSeconds).map((n) => n.instanceID);
    return stale.length ? explainRefusals(this.ctx, this.ctx.redis.hdel(this.ctx.keys.nodes(), ...stale)) : 0;
  }
}

function parseNode(value: string | null | undefined): NodeEntry | undefined {
  const node = parseJsonOrUndefined<NodeEntry>(value);
  return node && typeof node === 'object' && typeof node.instanceID === 'string' ? node : undefined;
}

function withElapsed(node: NodeEntry, now: number): NodeInfo {
  return { ...node, elapsed: Math.floor((now - Date.parse(node.updatedOn)) / 1000) };
}

function parseInstances(values: Array<string | null>): InstanceInfo[] {
  return values.flatMap((value) => {
    const node = parseNode(value);
    return node ? [{ ...node, updatedOnTS: Date.parse(node.updatedOn) }] : [];
  });
}

function parseSnapshots(values: Array<string | null>): StoredHealthSnapshot[] {
  return values.flatMap((raw) => {
    const snapshot = parseJsonOrUndefined<StoredHealthSnapshot>(raw);
    return snapshot && typeof snapshot === 'object' ? [snapshot] : [];
  });
}
