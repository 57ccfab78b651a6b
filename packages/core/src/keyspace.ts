/**
 * The one place that knows Redis key and channel names. Every other module asks a {@link Keyspace}.
 *
 * The default layout is Hydra 1.x's (`hydra:service:<service>:...`), so Hydra services and hydra-nest
 * services share one registry. `clusterHashTags: true` wraps the service name in a hash tag
 * (`hydra:service:{users}:...`) so that all keys of one service land in one Redis Cluster slot; that
 * layout is NOT readable by Hydra 1.x peers (which do not run on Cluster anyway).
 */
export interface KeyspaceOptions {
  /** Key and channel prefix. Hydra 1.x uses `hydra:service`. */
  prefix?: string;
  /** Wrap service names in `{}` hash tags for Redis Cluster (breaks Hydra 1.x wire compatibility). */
  clusterHashTags?: boolean;
}

/** Hydra 1.x's key prefix. */
export const HYDRA_PREFIX = 'hydra:service';

/**
 * Builds and parses the names of Hydra's keys and channels.
 *
 * @example
 * const keys = new Keyspace();
 * keys.presence('users', 'c86d0098a8fe4e948630fc5726614f32');
 * // 'hydra:service:users:c86d0098a8fe4e948630fc5726614f32:presence'
 */
export class Keyspace {
  /** The prefix, without a trailing colon. */
  readonly prefix: string;
  /** Whether service names are wrapped in Cluster hash tags. */
  readonly clusterHashTags: boolean;
  /** What every announcement channel starts with (checked for each message an instance receives). */
  private readonly announceHead: string;

  constructor(options: KeyspaceOptions = {}) {
    this.prefix = (options.prefix ?? HYDRA_PREFIX).replace(/:+$/, '');
    this.clusterHashTags = options.clusterHashTags ?? false;
    this.announceHead = `${this.prefix}:hn:announce:`;
  }

  /** The service segment as it appears in keys (hash-tagged in Cluster layout). */
  private svc(service: string): string {
    return this.clusterHashTags ? `{${service}}` : service;
  }

  /** `P:S:service`: the registry entry `{serviceName, type, registeredOn}`. */
  service(service: string): string {
    return `${this.prefix}:${this.svc(service)}:service`;
  }

  /** `P:S:I:presence`: the liveness key (value = instance id, TTL 3 s). */
  presence(service: string, instanceId: string): string {
    return `${this.prefix}:${this.svc(service)}:${instanceId}:presence`;
  }

  /** `P:nodes`: Hydra's hash of instance id -> node JSON, shared by all services (Hydra layout). */
  nodes(): string {
    return `${this.prefix}:nodes`;
  }

  /**
   * Whether each service keeps its own nodes hash ({@link nodesOf}): in Cluster layout, so that an
   * instance's refresh (presence, health, entry) goes to its service's master alone, in one round trip,
   * and no master takes every instance's entry.
   */
  get nodesPerService(): boolean {
    return this.clusterHashTags;
  }

  /**
   * The nodes hash that holds `service`'s entries: the shared {@link nodes} in Hydra's layout,
   * `P:{S}:hn:nodes` in Cluster layout.
   */
  nodesOf(service: string): string {
    return this.nodesPerService ? this.extension(service, 'nodes') : this.nodes();
  }

  /**
   * `P:hn:services`: set of the names of registered services, kept in Cluster layout only, where it
   * finds every per-service nodes hash without a SCAN. Written at registration, not on a timer.
   */
  serviceIndex(): string {
    return `${this.prefix}:hn:services`;
  }

  /** `P:S:I:health`: the health snapshot JSON (TTL 3 s). */
  health(service: string, instanceId: string): string {
    return `${this.prefix}:${this.svc(service)}:${instanceId}:health`;
  }

  /** `P:S:I:health:log`: the flight-recorder list (newest first, 64 entries). */
  healthLog(service: string, instanceId: string): string {
    return `${this.prefix}:${this.svc(service)}:${instanceId}:health:log`;
  }

  /** `P:S:service:routes`: set of `[method]/path` strings. */
  routes(service: string): string {
    return `${this.prefix}:${this.svc(service)}:service:routes`;
  }

  /** `P:S:configs`: hash of version label -> config JSON. */
  configs(service: string): string {
    return `${this.prefix}:${this.svc(service)}:configs`;
  }

  /** `P:S:mqrecieved` (Hydra's spelling): the work queue's received list. */
  queueReceived(service: string): string {
    return `${this.prefix}:${this.svc(service)}:mqrecieved`;
  }

  /** `P:S:mqinprogress`: messages taken by a worker. */
  queueInProgress(service: string): string {
    return `${this.prefix}:${this.svc(service)}:mqinprogress`;
  }

  /** `P:S:mqincomplete`: messages a worker marked as failed. */
  queueIncomplete(service: string): string {
    return `${this.prefix}:${this.svc(service)}:mqincomplete`;
  }

  /**
   * A hydra-nest extension key for a service (queue leases, delayed messages, ...). Its name never ends
   * in a suffix that Hydra's unanchored SCAN patterns match (`:service`, `:routes`, `:presence`,
   * `:health`, `:health:log`), so Hydra peers never mistake it for one of theirs.
   */
  extension(service: string, name: string): string {
    return `${this.prefix}:${this.svc(service)}:hn:${name}`;
  }

  /** `P:S:hn:leases`: sorted set of leased in-progress messages (exact string), scored by lease expiry (ms). */
  queueLeases(service: string): string {
    return this.extension(service, 'leases');
  }

  /** `P:S:hn:delayed`: sorted set of messages (exact string) waiting for their due time (ms). */
  queueDelayed(service: string): string {
    return this.extension(service, 'delayed');
  }

  /** `P:S:hn:deliveries`: hash of message string -> `attempts:firstDeliveredMs`. */
  queueDeliveries(service: string): string {
    return this.extension(service, 'deliveries');
  }

  /** `P:S:hn:dups`: hash of message string -> extra leased copies of an identical string. */
  queueDuplicates(service: string): string {
    return this.extension(service, 'dups');
  }

  /** `P:S:hn:unleased`: hash of unleased in-progress message -> first time a reaper saw it (ms). */
  queueUnleasedSeen(service: string): string {
    return this.extension(service, 'unleased');
  }

  /** `P:mc:S`: the channel every instance of a service subscribes to (broadcasts). */
  serviceChannel(service: string): string {
    return `${this.prefix}:mc:${this.svc(service)}`;
  }

  /** `P:mc:S:I`: the channel of one instance (direct messages and replies). */
  instanceChannel(service: string, instanceId: string): string {
    return `${this.prefix}:mc:${this.svc(service)}:${instanceId}`;
  }

  /**
   * `P:hn:announce:S`: hydra-nest's own announcement channel of a service. Its instances publish their
   * arrival and departure there, and only instances watching the service listen, so that peers'
   * discovery caches learn of them at once without every instance hearing every other (Hydra peers are
   * found by the periodic lookup as usual). A classic channel, also on a cluster, where a watcher's
   * subscriber sits on the master of its own slot: a classic PUBLISH reaches every node. It is a
   * channel, not a key, and is outside Hydra's `mc` namespace.
   */
  announceChannel(service: string): string {
    return `${this.announceHead}${this.svc(service)}`;
  }

  /** Whether `channel` is an announcement channel (of any service); cheap, for every message. */
  isAnnounceChannel(channel: string): boolean {
    return channel.startsWith(this.announceHead);
  }

  /** The service whose announcement channel `channel` is, or undefined when it is not one. */
  announceChannelService(channel: string): string | undefined {
    if (!this.isAnnounceChannel(channel)) return undefined;
    const segment = channel.slice(this.announceHead.length);
    if (!this.clusterHashTags) return segment || undefined;
    return /^\{[^{}]+\}$/.test(segment) ? segment.slice(1, -1) : undefined;
  }

  /**
   * The Redis ACL key pattern (`~` rule) that covers every key hydra-nest reads or writes: all of them
   * sit under the prefix, Hydra's registry and queues as well as hydra-nest's extensions.
   */
  aclKeyPattern(): string {
    return `${this.escapeGlob(this.prefix)}:*`;
  }

  /**
   * The Redis ACL channel pattern (`&` rule) that covers every channel hydra-nest publishes on or
   * subscribes to: service and instance channels (`P:mc:...`) and the announcement channels.
   */
  aclChannelPattern(): string {
    return `${this.escapeGlob(this.prefix)}:*`;
  }

  /** SCAN pattern for every service registry entry. */
  servicesPattern(): string {
    return `${this.prefix}:*:service`;
  }

  /** SCAN pattern for every route set. */
  routesPattern(): string {
    return `${this.prefix}:*:service:routes`;
  }

  /** SCAN pattern for the presence keys of one service. */
  presencePattern(service: string): string {
    return `${this.prefix}:${this.escapeGlob(this.svc(service))}:*:presence`;
  }

  /**
   * SCAN pattern for the presence keys of every service. A SCAN walks the whole keyspace whatever its
   * pattern, so one pass with this pattern finds the instances of many services for the price of one.
   */
  anyPresencePattern(): string {
    return `${this.prefix}:*:presence`;
  }

  /** SCAN pattern for the flight-recorder lists of one service. */
  healthLogPattern(service: string): string {
    return `${this.prefix}:${this.escapeGlob(this.svc(service))}:*:health:log`;
  }

  /**
   * SCAN pattern for the flight-recorder lists of every service: one pass for all of them costs what
   * one for a single service costs.
   */
  anyHealthLogPattern(): string {
    return `${this.prefix}:*:health:log`;
  }

  /** Service name from a `P:S:I:health:log` key, or undefined when the key does not have that layout. */
  serviceFromHealthLogKey(key: string): string | undefined {
    const rest = this.segmentAfterPrefix(key, ':health:log');
    const colon = rest?.lastIndexOf(':') ?? -1;
    if (colon <= 0 || colon === rest!.length - 1) return undefined;
    const service = rest!.slice(0, colon);
    return service.includes(':') ? undefined : service;
  }

  /** Service name from a `P:S:service` key, or undefined when the key does not have that layout. */
  serviceFromServiceKey(key: string): string | undefined {
    const service = this.segmentAfterPrefix(key, ':service');
    return service !== undefined && !service.includes(':') ? service : undefined;
  }

  /** Service name from a `P:S:service:routes` key, or undefined when the key does not have that layout. */
  serviceFromRoutesKey(key: string): string | undefined {
    const service = this.segmentAfterPrefix(key, ':service:routes');
    return service !== undefined && !service.includes(':') ? service : undefined;
  }

  /** Instance id from a `P:S:I:presence` key, or undefined when the key does not have that layout. */
  instanceFromPresenceKey(key: string): string | undefined {
    const rest = this.segmentAfterPrefix(key, ':presence');
    if (rest === undefined) return undefined;
    const colon = rest.lastIndexOf(':');
    return colon > 0 ? rest.slice(colon + 1) : undefined;
  }

  /**
   * Service and instance id from a `P:S:I:presence` key, or undefined when the key does not have that
   * layout (exactly one service segment, a non-empty id).
   */
  parsePresenceKey(key: string): { service: string; instanceId: string } | undefined {
    const rest = this.segmentAfterPrefix(key, ':presence');
    if (rest === undefined) return undefined;
    const colon = rest.lastIndexOf(':');
    if (colon <= 0 || colon === rest.length - 1) return undefined;
    const service = rest.slice(0, colon);
    return service.includes(':') ? undefined : { service, instanceId: rest.slice(colon + 1) };
  }

  private segmentAfterPrefix(key: string, suffix: string): string | undefined {
    const head = `${this.prefix}:`;
    if (!key.startsWith(head) || !key.endsWith(suffix)) return undefined;
    let middle = key.slice(head.length, key.length - suffix.length);
    if (this.clusterHashTags) middle = middle.replace(/^\{([^}]*)\}/, '$1');
    return middle.length > 0 ? middle : undefined;
  }

  private escapeGlob(text: string): string {
    return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
  }
}
