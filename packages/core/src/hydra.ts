import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { connectOrExplain, resolveRedisOptions, type RedisConnectionOptions } from './connection.js';
import { ConnectionStatuses } from './connection-status.js';
import { watchConnection } from './connection-watch.js';
import type { HydraContext, HydraState } from './context.js';
import { HydraStateError } from './errors.js';
import { resolveIdentity, type ServiceIdentity, type ServiceIdentityOptions } from './identity.js';
import { Keyspace, type KeyspaceOptions } from './keyspace.js';
import { consoleLogger, type HydraLogger } from './logger.js';
import { Presence, type PresenceOptions } from './presence.js';
import {
  ConfigStore,
  Discovery,
  FlightRecorder,
  HealthReporter,
  InstanceCache,
  RouteRegistry,
} from './registry-exports.js';
import { Announcer } from './announcer.js';
import { createClusterClients } from './cluster-connection.js';
import { createClusterSubscriber, type ClusterSubscriber } from './cluster-subscriber.js';
import type { RedisClient } from './redis-client.js';
import { Subscriptions } from './subscriptions.js';
import { explainRefusal } from './redis-permission.js';
import { Messenger, type MessagingOptions } from './messaging/index.js';
import { QueueConsumerRegistry } from './queue/queue-consumer-registry.js';

/** Everything a hydra-nest instance needs; only `serviceName` is required. */
export interface HydraOptions extends ServiceIdentityOptions {
  /** Where Redis is. Default `redis://127.0.0.1:6379/15`, Hydra's convention. */
  redis?: RedisConnectionOptions;
  /** Key prefix and Cluster layout. Default: Hydra 1.x's `hydra:service` layout. */
  keyspace?: KeyspaceOptions;
  /** Where to log. Default: the console. Nest's `Logger` fits. */
  logger?: HydraLogger;
  /**
   * Register this process as a service instance (presence, node, health). Default true. Tools that only
   * read the registry (CLI, dashboards) set false.
   */
  register?: boolean;
  /** Route strings (`[get]/v1/users/:id`) to publish at start. */
  routes?: string[];
  presence?: PresenceOptions;
  health?: { intervalMs?: number; ttlSeconds?: number };
  /** How often known instances of watched services are checked for presence, ms. Default 1000. */
  discoveryRefreshMs?: number;
  /**
   * How often watched services are looked up afresh (nodes hash, presence keys; no SCAN) for instances
   * that did not announce themselves, such as Hydra 1.x peers, ms. Default 3000.
   */
  discoveryScanMs?: number;
  /** Load balancing, request deadline and retries of messaging. */
  messaging?: MessagingOptions;
}

type Lifecycle = HydraState;

/**
 * One Hydra-compatible service instance: its connections, registration and every registry feature.
 * Framework-free; `@hydra-nest/nest` wraps it in a Nest module.
 *
 * @example
 * const hydra = new Hydra({ serviceName: 'users-svc', servicePort: 3000, redis: { url: 'redis://127.0.0.1:6379/15' } });
 * await hydra.start();
 * const instances = await hydra.discovery.instances('billing-svc');
 * await hydra.stop();
 */
export class Hydra extends EventEmitter {
  readonly identity: ServiceIdentity;
  readonly keys: Keyspace;
  readonly logger: HydraLogger;
  /** Command connection (a `Cluster` client on a Redis Cluster). */
  readonly redis: RedisClient;
  /**
   * Subscriber connection (service and instance channels, and the announcement channels of watched
   * services). On a cluster, a connection to
   * the master that owns the slot of the service's channels, following it through failovers and slot moves.
   */
  readonly subscriber: Redis;
  readonly presence: Presence;
  readonly health: HealthReporter;
  readonly flightRecorder: FlightRecorder;
  readonly configs: ConfigStore;
  readonly routes: RouteRegistry;
  readonly discovery: Discovery;
  readonly instances: InstanceCache;
  /** UMF messaging: send, broadcast, reply, request-reply and HTTP calls to discovered instances. */
  readonly messaging: Messenger;
  /** What the Redis connections went through (losses, state); also in the health snapshot. */
  readonly connections = new ConnectionStatuses();
  /** The queue consumers running on this instance (and the counters of those that stopped). */
  readonly queueConsumers = new QueueConsumerRegistry();

  private readonly address: string;
  private readonly ownsClient: boolean;
  private readonly announcer: Announcer;
  private lifecycle: Lifecycle = 'new';
  private readonly unwatch: Array<() => void> = [];
  private readonly channels: Subscriptions;
  private readonly clusterSubscriber: ClusterSubscriber | undefined;

  constructor(private readonly options: HydraOptions) {
    super();
    this.identity = resolveIdentity(options);
    // On a cluster, every key of a service carries its hash tag: one slot for each multi-key operation.
    this.keys = new Keyspace(
      options.redis?.cluster ? { ...options.keyspace, clusterHashTags: true } : options.keyspace,
    );
    this.logger = options.logger ?? consoleLogger;
    this.ownsClient = !options.redis?.client;
    if (options.redis?.cluster) {
      const clients = createClusterClients(options.redis.cluster, options.redis);
      this.address = clients.address;
      this.redis = clients.command;
      // One connection, to the master of the slot of the own channels (any would do for the classic
      // announcement channels alone, as with `register: false`).
      this.clusterSubscriber = createClusterSubscriber(
        clients,
        this.keys.serviceChannel(this.identity.serviceName),
      );
      this.subscriber = this.clusterSubscriber.redis;
    } else {
      const resolved = resolveRedisOptions(options.redis);
      this.address = resolved.address;
      this.redis = options.redis?.client ?? new Redis(resolved.options);
      // Re-subscribing after a reconnect is done by the connection watcher start() installs, not by
      // ioredis: ioredis leaves its SUBSCRIBE's promise unobserved, so a stop() while it is in flight
      // would surface as an unhandled rejection. (The same holds on a cluster.)
      this.subscriber = this.redis.duplicate({
        lazyConnect: true,
        enableOfflineQueue: true,
        autoResubscribe: false,
      });
    }
    this.channels = new Subscriptions(this.subscriber, this.clusterSubscriber !== undefined);
    // Connection errors surface through start() and the connection watcher; without a listener
    // ioredis would print every failed attempt, and an 'error' event would crash the process.
    for (const client of [this.redis, this.subscriber]) client.on('error', () => undefined);
    const ctx: HydraContext = {
      redis: this.redis,
      keys: this.keys,
      identity: this.identity,
      logger: this.logger,
    };
    this.presence = new Presence(ctx, options.presence);
    this.health = new HealthReporter(ctx, options.health, this.connections);
    this.flightRecorder = new FlightRecorder(ctx);
    this.configs = new ConfigStore(ctx);
    this.discovery = new Discovery(ctx);
    this.routes = new RouteRegistry(ctx, this.discovery);
    this.announcer = new Announcer(ctx, this.channels, (announcement) =>
      this.instances.applyAnnouncement(announcement),
    );
    this.instances = new InstanceCache(ctx, this.discovery, {
      refreshMs: options.discoveryRefreshMs,
      discoverMs: options.discoveryScanMs,
      announcements: this.announcer,
    });
    this.messaging = new Messenger(
      {
        ...ctx,
        instances: this.instances,
        discovery: this.discovery,
        state: () => this.lifecycle,
        subscriberStatus: () => this.subscriber.status,
      },
      options.messaging,
    );
    // While running, the instance subscribes again after a loss (then tells messaging); until then
    // messaging holds new requests.
    this.subscriber.on('close', () => this.messaging.onSubscriberLost());
  }

  /** The service name (lower-cased). */
  get serviceName(): string {
    return this.identity.serviceName;
  }

  /** The instance id (32 hex characters). */
  get instanceId(): string {
    return this.identity.instanceId;
  }

  /** Whether `start()` completed and `stop()` has not begun. */
  get running(): boolean {
    return this.lifecycle === 'running';
  }

  /** The lifecycle state: `new`, `starting`, `running`, `stopping` or `stopped`. */
  get state(): HydraState {
    return this.lifecycle;
  }

  /**
   * Connects, subscribes to the service and instance channels, then registers (presence, node, health,
   * routes). Rejects with `RedisUnavailableError` when Redis cannot be reached, and with
   * `RedisPermissionError` when the ACL user lacks a right (the instance is stopped then).
   */
  async start(): Promise<void> {
    if (this.lifecycle !== 'new') {
      throw new HydraStateError(
        `Hydra instance of ${this.serviceName} was already started; create a new one`,
      );
    }
    this.lifecycle = 'starting';
    const attempts = this.options.redis?.startupAttempts ?? 3;
    try {
      await connectOrExplain(this.redis, this.address, attempts);
      await connectOrExplain(this.subscriber, this.address, attempts);
    } catch (error) {
      this.lifecycle = 'stopped';
      this.subscriber.disconnect();
      throw error;
    }
    const own =
      this.options.register === false
        ? []
        : [
            this.keys.serviceChannel(this.serviceName),
            this.keys.instanceChannel(this.serviceName, this.instanceId),
          ];
    const onRecovered = () => {
      this.connections.back('command');
      this.messaging.onCommandBack();
      void this.recover();
    };
    this.unwatch.push(
      watchConnection(this.redis, 'command', this.address, this.logger, onRecovered, {
        revive: this.ownsClient, // a client of the caller's is theirs to close, or to connect again
        onLost: (reason) => this.connections.lost('command', reason),
      }),
      watchConnection(this.subscriber, 'subscriber', this.address, this.logger, () => this.resubscribe(), {
        revive: true,
        onLost: (reason) => {
          this.connections.lost('subscriber', reason);
          this.reportConnections(); // the command connection may still work: say so at once
        },
      }),
    );
    // On a cluster: the subscriber follows its slot's master, and messaging hears of failovers.
    const following = this.clusterSubscriber?.follow(
      this.logger,
      `${this.serviceName} (${this.instanceId})`,
      () => this.messaging.onClusterChanged(),
    );
    if (following) this.unwatch.push(following);
    this.channels.onMessage((channel, payload) => this.route(channel, payload));
    try {
      // Subscriptions first, presence second: a caller that sees us can already reach us.
      await this.channels.subscribe(own);
      if (this.options.register !== false) {
        await this.presence.register();
        this.health.start(this.presence);
        if (this.options.routes?.length) await this.routes.publish(this.options.routes);
        await this.announcer.announce('up', this.presence.nodeEntry());
        this.messaging.onStarted();
      }
    } catch (error) {
      // Leave no timer or connection behind; a refused ACL permission is named with what to grant.
      await this.stop();
      throw explainRefusal(error, this);
    }
    this.lifecycle = 'running';
    this.emit('started');
  }

  /** Replaces this service's published routes (`[method]/path` strings). */
  async registerRoutes(routes: string[]): Promise<void> {
    await this.routes.publish(routes);
  }

  /**
   * Deregisters at once (presence and node removed, peers told) and closes the connections it owns.
   * Never hangs when Redis is gone.
   */
  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped' || this.lifecycle === 'stopping') return;
    const wasRegistered = this.lifecycle === 'running' && this.options.register !== false;
    this.lifecycle = 'stopping';
    this.messaging.close();
    this.instances.close();
    this.health.stop();
    if (wasRegistered) {
      await Promise.allSettled([
        this.announcer.announce('down'),
        this.presence.deregister(),
        this.health.expireNow(),
      ]);
    }
    for (const unwatch of this.unwatch.splice(0)) unwatch();
    this.subscriber.disconnect();
    if (this.ownsClient) {
      if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
      else this.redis.disconnect();
    }
    this.lifecycle = 'stopped';
    this.emit('stopped');
  }

  /** Re-registers everything after Redis comes back (it may have lost its data). */
  private async recover(): Promise<void> {
    if (this.lifecycle !== 'running' || this.options.register === false) return;
    try {
      await this.presence.register();
      await this.routes.republish();
      await this.health.publish();
      await this.announcer.announce('up', this.presence.nodeEntry());
      this.logger.log(`${this.serviceName} (${this.instanceId}) re-registered after reconnecting`);
    } catch (error) {
      this.logger.warn(
        `re-registration of ${this.serviceName} failed (${(error as Error).message}); will retry`,
      );
      setTimeout(() => void this.recover(), 250).unref();
    }
  }

  /** Subscribes to the channels again once the subscriber is back after a loss. */
  private resubscribe(): void {
    this.channels.subscribeAgain().then(
      () => this.subscribedAgain(this.channels.channels()),
      (error: Error) => {
        if (this.lifecycle !== 'running') return; // stopping: the connection was closed on purpose
        this.logger.warn(
          `${this.serviceName} could not subscribe again after reconnecting ` +
            `(${(explainRefusal(error, this) as Error).message}); ` +
            'it will try again on the next reconnect',
        );
      },
    );
  }

  /** The subscriber listens again: Redis confirmed every subscription. */
  private subscribedAgain(channels: string[]): void {
    this.connections.back('subscriber');
    this.logger.log(
      `${this.serviceName} (${this.instanceId}) subscribed again (${channels.join(', ')})` +
        '; messages published to it while the subscriber was away did not reach it',
    );
    this.messaging.onSubscribed();
    this.reportConnections();
    this.announceBack();
  }

  /**
   * Tells hydra-nest peers at once that this instance listens again: a peer that found nobody listening
   * on its channel dropped it from its cache.
   */
  private announceBack(): void {
    if (this.lifecycle !== 'running' || this.options.register === false) return;
    this.announcer.announce('up', this.presence.nodeEntry()).catch(() => undefined); // recover() re-announces
  }

  /** Writes the health snapshot now, so that it shows a connection's loss or return without delay. */
  private reportConnections(): void {
    if (this.lifecycle !== 'running' || this.options.register === false) return;
    this.health.publish().catch(() => undefined); // Redis away: the next tick after reconnecting writes it
  }

  private route(channel: string, payload: string): void {
    if (this.announcer.handles(channel)) {
      this.announcer.receive(channel, payload);
      return;
    }
    // Raw UMF payloads from the service or instance channel: a direct call, as this is every message's path.
    this.messaging.receive(payload, channel);
  }
}
