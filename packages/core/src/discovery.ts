import type { HydraContext } from './context.js';
import { newestFirst, parseFlightRecords, type FlightRecord } from './flight-recorder.js';
import type { StoredHealthSnapshot } from './health.js';
import { NodeDirectory } from './node-directory.js';
import { parseNode, readNode, readNodesByHash, removeStaleNodes, type NodeInfo } from './node-entries.js';
import type { NodeEntry } from './presence.js';
import { explainRefusal, explainRefusals } from './redis-permission.js';
import { parseJsonOrUndefined, scanKeys } from './scan-keys.js';
import { pipelineOf, mgetAny } from './redis-client.js';

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

export type { NodeInfo } from './node-entries.js';

/** Health snapshots, merged flight-recorder log and live instances of one service. */
export interface ServiceHealthReport {
  health: StoredHealthSnapshot[];
  log: FlightRecord[];
  presence: InstanceInfo[];
}

/** How discovery keeps its view of the nodes hash; see {@link Discovery}. */
export interface DiscoveryOptions {
  /**
   * Longest time between two full reads of the nodes hash's ids, ms (between them, its length tells
   * whether instances came or went). Default 30000.
   */
  nodesRereadMs?: number;
}

/** Entries Hydra's readers keep of a flight recorder (Hydra: LRANGE 0 63). */
const LOG_ENTRIES = 64;

/**
 * Reads Hydra's registry: services, live instances, nodes, health and logs, seeing Hydra 1.x and
 * hydra-nest instances alike. Values that are not JSON (foreign keys in a shared db) are skipped
 * instead of failing the whole read; each batch of reads is one round trip; never KEYS.
 *
 * Instances are found without walking the keyspace: the shared nodes hash names every instance ever
 * registered and its service (see {@link NodeDirectory}; usually one HLEN), one HMGET reads the
 * candidates' entries, and the presence keys of those whose entry has not been rewritten since the last
 * lookup tell which of them are live. So finding instances costs Redis the same whatever else it holds.
 * Listing services, routes and logs (operator calls) still SCANs, which walks every key of the db.
 *
 * @example
 * const discovery = new Discovery(ctx);
 * const [first] = await discovery.instances('billing-svc');
 * if (first) console.log(`billing at ${first.ip}:${first.port}`);
 */
export class Discovery {
  /** Nodes hash -> its directory: one in Hydra's layout, one per service looked up in Cluster layout. */
  private readonly directories = new Map<string, NodeDirectory>();
  private readonly nodesRereadMs: number | undefined;

  constructor(
    private readonly ctx: HydraContext,
    options: DiscoveryOptions = {},
  ) {
    this.nodesRereadMs = options.nodesRereadMs;
  }

  /** The directory of the nodes hash that holds `service`'s entries. */
  private directoryOf(service: string): NodeDirectory {
    return this.directoryFor(this.ctx.keys.nodesOf(service));
  }

  private directoryFor(hash: string): NodeDirectory {
    let directory = this.directories.get(hash);
    if (!directory) {
      directory = new NodeDirectory(this.ctx, hash, { rereadMs: this.nodesRereadMs });
      this.directories.set(hash, directory);
    }
    return directory;
  }

  /**
   * Every registered service (SCAN, then one MGET), like Hydra's `getServices`. The SCAN walks the
   * whole db: meant for operators and start-up, not for a timer.
   */
  async services(): Promise<ServiceEntry[]> {
    const { redis, keys } = this.ctx;
    const serviceKeys = (await scanKeys(redis, keys.servicesPattern())).filter(
      (key) => keys.serviceFromServiceKey(key) !== undefined,
    );
    if (serviceKeys.length === 0) return [];
    return (await explainRefusals(this.ctx, mgetAny(redis, serviceKeys))).flatMap((raw) => {
      const entry = parseJsonOrUndefined<ServiceEntry>(raw);
      return entry && typeof entry.serviceName === 'string' ? [entry] : [];
    });
  }

  /** Ids of the instances of `service` that have a nodes entry and a live presence key. */
  async presentIds(service: string): Promise<string[]> {
    return ((await this.instancesOf([service])).get(service) ?? []).map((instance) => instance.instanceID);
  }

  /**
   * Live instances of `service`: presence key alive and a nodes entry, like Hydra's
   * `getServicePresence` but neither cached nor shuffled. `[]` when none is live.
   */
  async instances(service: string): Promise<InstanceInfo[]> {
    return (await this.instancesOf([service])).get(service) ?? [];
  }

  /**
   * Live instances of several services at once: the nodes directory brought up to date (one HLEN
   * usually), one pipeline of HMGETs of the candidates' entries, then one MGET of presence keys per
   * service for the entries that do not prove their instance alive. An entry proves it when it was
   * rewritten since this Discovery's previous lookup (see `NodeDirectory.noteEntry`), so a repeated
   * lookup of live instances (the instance cache's) reads no presence key: its cost then stays the same
   * however many keys the database holds, where reading a key of a large database misses the CPU cache.
   */
  async instancesOf(services: readonly string[]): Promise<Map<string, InstanceInfo[]>> {
    const result = new Map<string, InstanceInfo[]>(services.map((service) => [service, []]));
    if (services.length === 0) return result;
    const directories = services.map((service) => this.directoryOf(service));
    await Promise.all([...new Set(directories)].map((directory) => directory.refresh()));
    const asked = services.flatMap((service, i) => {
      const directory = directories[i]!;
      const candidates = directory.candidatesOf(service);
      return candidates.length ? [{ service, directory, candidates }] : [];
    });
    if (asked.length === 0) return result;
    const readAt = Date.now();
    const entries = await this.entriesOf(asked);
    const unproven = new Map<string, InstanceInfo[]>();
    asked.forEach(({ service, directory }, i) => {
      const doubtful = entries[i]!.filter(
        (instance) => !directory.noteEntry(instance.instanceID, instance.updatedOn, readAt),
      );
      if (doubtful.length > 0) unproven.set(service, doubtful);
    });
    const absent = await this.absentOf(unproven);
    asked.forEach(({ service, directory }, i) => {
      for (const { instanceID } of entries[i]!) directory.notePresence(instanceID, !absent.has(instanceID));
      result.set(
        service,
        entries[i]!.filter(({ instanceID }) => !absent.has(instanceID)),
      );
    });
    return result;
  }

  /** The parsed entries of each service's candidates (one HMGET each, in one pipeline). */
  private async entriesOf(
    asked: ReadonlyArray<{ service: string; candidates: string[] }>,
  ): Promise<InstanceInfo[][]> {
    const { redis, keys } = this.ctx;
    const pipeline = pipelineOf(redis);
    for (const { service, candidates } of asked) pipeline.hmget(keys.nodesOf(service), ...candidates);
    const replies = (await pipeline.exec()) ?? [];
    return asked.map((_, i) => {
      const [error, values] = replies[i] ?? [];
      if (error) throw explainRefusal(error, this.ctx);
      return parseInstances(values as Array<string | null>);
    });
  }

  /**
   * Ids of the given instances whose presence key is missing: one MGET per service (one slot per
   * service in Cluster layout), all in one pipeline.
   */
  private async absentOf(instancesOf: Map<string, InstanceInfo[]>): Promise<Set<string>> {
    const { redis, keys } = this.ctx;
    const absent = new Set<string>();
    if (instancesOf.size === 0) return absent;
    const asked = [...instancesOf];
    const pipeline = pipelineOf(redis);
    for (const [service, instances] of asked) {
      pipeline.mget(...instances.map((instance) => keys.presence(service, instance.instanceID)));
    }
    const replies = (await pipeline.exec()) ?? [];
    asked.forEach(([, instances], i) => {
      const [error, values] = replies[i] ?? [];
      if (error) throw explainRefusal(error, this.ctx);
      instances.forEach((instance, j) => {
        if ((values as Array<string | null>)[j] === null) absent.add(instance.instanceID);
      });
    });
    return absent;
  }

  /**
   * Brings discovery's view of the nodes hashes of the services looked up so far up to date (usually one
   * HLEN each: one in all in Hydra's layout) and says whether they now name instances they did not
   * before: then those services' instances are worth looking up again.
   */
  async refreshNodes(): Promise<boolean> {
    const { keys } = this.ctx;
    const directories = keys.nodesPerService
      ? [...this.directories.values()]
      : [this.directoryFor(keys.nodes())];
    const grew = await Promise.all(directories.map((directory) => directory.refresh()));
    return grew.includes(true);
  }

  /**
   * Tells discovery that an instance of `service` (of any service, when not given) removed its nodes
   * entry (a hydra-nest peer announced its departure), so the next lookup reads the hash's ids again: an
   * arrival at the same moment leaves its length unchanged.
   */
  nodesChanged(service?: string): void {
    if (service !== undefined) this.directoryOf(service).invalidate();
    else for (const directory of this.directories.values()) directory.invalidate();
  }

  /** Whether any instance of `service` has a live presence key (Hydra's `hasServicePresence`). */
  async hasPresence(service: string): Promise<boolean> {
    return (await this.presentIds(service)).length > 0;
  }

  /**
   * Every nodes entry, live or dead, with `elapsed` seconds (Hydra's `getServiceNodes`): one HGETALL; in
   * Cluster layout, the service index (SMEMBERS), then one HGETALL per service.
   */
  async nodes(): Promise<NodeInfo[]> {
    return (await readNodesByHash(this.ctx)).flatMap(([, nodes]) => nodes);
  }

  /** One nodes entry with `elapsed`, live or dead, or undefined when there is none. */
  node(instanceId: string): Promise<NodeInfo | undefined> {
    return readNode(this.ctx, instanceId);
  }

  /**
   * Health snapshots (as stored, `updatedOn` included) of the live instances of `service`: the instance
   * lookup, then one MGET. Instances whose snapshot is missing (e.g. in a Hydra peer's 2 s gap) are left out.
   */
  async health(service: string): Promise<StoredHealthSnapshot[]> {
    const ids = await this.presentIds(service);
    if (ids.length === 0) return [];
    const keys = ids.map((id) => this.ctx.keys.health(service, id));
    const values = await explainRefusals(this.ctx, mgetAny(this.ctx.redis, keys));
    return parseSnapshots(values);
  }

  /**
   * Health, merged flight-recorder log (newest 64 entries) and live instances of every registered
   * service, keyed by service name: the content of Hydra's `getServiceHealthAll` (which returns an array
   * of the same triples and only one instance's log). Two SCAN walks of the whole db, whatever the number
   * of services (service entries, flight-recorder lists), the instance lookup, then one pipeline: an
   * operator call, not for a timer.
   */
  async healthAll(): Promise<Record<string, ServiceHealthReport>> {
    const { redis, keys } = this.ctx;
    const [services, allLogKeys] = await Promise.all([
      this.services(),
      scanKeys(redis, keys.anyHealthLogPattern()),
    ]);
    const names = [...new Set(services.map((s) => s.serviceName))];
    const live = await this.instancesOf(names);
    const logKeysOf = new Map<string, string[]>(names.map((service) => [service, []]));
    for (const key of allLogKeys) logKeysOf.get(keys.serviceFromHealthLogKey(key) ?? '')?.push(key);
    const found = names.map((service) => ({
      service,
      presence: live.get(service)!,
      logKeys: logKeysOf.get(service)!,
    }));
    const pipeline = pipelineOf(redis);
    for (const { service, presence, logKeys } of found) {
      if (presence.length > 0) pipeline.mget(...presence.map((i) => keys.health(service, i.instanceID)));
      for (const key of logKeys) pipeline.lrange(key, 0, LOG_ENTRIES - 1);
    }
    const replies = found.some((f) => f.presence.length || f.logKeys.length)
      ? ((await pipeline.exec()) ?? [])
      : [];
    let next = 0;
    const take = (): unknown => {
      const [error, value] = replies[next++] ?? [];
      if (error) throw explainRefusal(error, this.ctx);
      return value;
    };
    const all: Record<string, ServiceHealthReport> = {};
    for (const { service, presence, logKeys } of found) {
      const health = presence.length ? parseSnapshots(take() as Array<string | null>) : [];
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
  removeStaleNodes(olderThanSeconds: number): Promise<number> {
    return removeStaleNodes(this.ctx, olderThanSeconds);
  }
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
