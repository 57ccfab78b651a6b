import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { RedisConnectionOptions } from '../../packages/core/src/connection.js';
import { Keyspace } from '../../packages/core/src/keyspace.js';
import type { RedisClient } from '../../packages/core/src/redis-client.js';
import { RedisCluster } from '../../scripts/lib/redis-cluster.mjs';
import { RedisProcess } from '../../scripts/lib/redis-process.mjs';

/** Where the behaviour suites run: one redis-server, or a 3-master 3-replica Redis Cluster. */
export type TopologyName = 'standalone' | 'cluster';

/**
 * The topology of this test process, from `HYDRA_TEST_TOPOLOGY` (set per Vitest project in
 * vitest.config.ts; `standalone` when unset).
 */
export const TOPOLOGY: TopologyName = readTopology();

/** Whether this test process runs the suites on a Redis Cluster. */
export const onCluster = TOPOLOGY === 'cluster';

/**
 * The key and channel names hydra-nest uses on this topology: Hydra 1.x's layout on one server, the
 * service hash-tagged (`hydra:service:{svc}:...`) on a cluster, as a `Hydra` instance picks it.
 */
export const testKeys = new Keyspace({ clusterHashTags: onCluster });

/** Options of {@link useTopology}. */
export interface TopologyOptions {
  /** Append-only file on the server or on every node, so data survives a restart. */
  persistence?: boolean;
}

/** Commands of the clients themselves (slot map, ready check, replication), left out of `monitor`. */
const HOUSEKEEPING = new Set([
  'cluster',
  'info',
  'ping',
  'replconf',
  'command',
  'client',
  'readonly',
  'echo',
  'role',
]);

/**
 * A test file's Redis on the chosen topology: started before its tests, stopped after them. It hands
 * out what the suites need without knowing which topology runs: the `redis` option of a `Hydra`
 * instance, raw clients for assertions, the keyspace, and pub/sub and statistics helpers that do on a
 * cluster what hydra-nest does there (sharded channels, one answer per master).
 */
export class TestTopology {
  readonly name = TOPOLOGY;
  readonly isCluster = onCluster;
  readonly keys = testKeys;
  #server: RedisProcess | undefined;
  #cluster: RedisCluster | undefined;
  readonly #clients: Array<RedisClient> = [];
  #publisher: RedisClient | undefined;

  constructor(private readonly options: TopologyOptions = {}) {}

  /** The redis-server of a standalone run; a test that needs it runs on standalone only. */
  get server(): RedisProcess {
    if (!this.#server) throw new Error('no single redis-server on this topology; run the test on standalone');
    return this.#server;
  }

  /** The cluster of a cluster run. */
  get cluster(): RedisCluster {
    if (!this.#cluster) throw new Error('no Redis Cluster on this topology; run the test on cluster');
    return this.#cluster;
  }

  /** The `redis` option of a `Hydra` instance: db 15 of the server, or the cluster's nodes. */
  get redis(): RedisConnectionOptions {
    return this.#cluster ? { cluster: { nodes: this.#cluster.nodes } } : { url: this.server.urlFor(15) };
  }

  async start(): Promise<void> {
    if (onCluster) this.#cluster = await new RedisCluster({ persistence: this.options.persistence }).start();
    else this.#server = await new RedisProcess({ persistence: this.options.persistence }).start();
  }

  async stop(): Promise<void> {
    for (const client of this.#clients.splice(0)) client.disconnect();
    await this.#cluster?.stop();
    await this.#server?.stop();
  }

  /**
   * A raw client for assertions and set-up, closed after the file: a `Redis` on db 15, or a `Cluster`
   * (with `options` for each node). Its errors are ignored (a test may stop the server under it).
   */
  client(options: RedisOptions = {}): RedisClient {
    const client = this.#cluster
      ? new Cluster(this.#cluster.nodes, { redisOptions: options })
      : new Redis(this.server.urlFor(15), options);
    client.on('error', () => undefined);
    this.#clients.push(client);
    return client;
  }

  /**
   * Publishes `text` on a service or instance channel as hydra-nest does: PUBLISH on one server,
   * SPUBLISH (sharded) on a cluster. Resolves the receivers Redis counted.
   */
  async publish(channel: string, text: string | Buffer): Promise<number> {
    const client = this.#publisher ?? (this.#publisher = this.client());
    return (
      this.#cluster ? client.spublish(channel, text) : client.publish(channel, text)
    ) as Promise<number>;
  }

  /**
   * Listens on service or instance channels as an instance does (SUBSCRIBE, or SSUBSCRIBE on a cluster),
   * on a connection of its own, calling `onText` with each message's channel and text. Resolves once
   * subscribed; `close()` ends it.
   */
  async listen(
    channels: string | string[],
    onText: (text: string, channel: string) => void,
  ): Promise<{ close(): void }> {
    const list = typeof channels === 'string' ? [channels] : channels;
    if (this.#cluster) {
      const subscriber = new Cluster(this.#cluster.nodes, { shardedSubscribers: true });
      subscriber.on('error', () => undefined);
      subscriber.on('smessage', (channel: string, text: string) => onText(text, channel));
      for (const channel of list) await subscriber.ssubscribe(channel); // one slot per SSUBSCRIBE
      return { close: () => subscriber.disconnect() };
    }
    const subscriber = new Redis(this.server.urlFor(15));
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string, text: string) => onText(text, channel));
    await subscriber.subscribe(...list);
    return { close: () => subscriber.disconnect() };
  }

  /**
   * The service and instance channels somebody subscribes to that match `pattern`: PUBSUB CHANNELS, or
   * PUBSUB SHARDCHANNELS of every master on a cluster.
   */
  async subscribedChannels(pattern: string): Promise<string[]> {
    const perNode = await this.#eachServer((redis) =>
      redis.call('PUBSUB', this.#cluster ? 'SHARDCHANNELS' : 'CHANNELS', pattern),
    );
    return [...new Set((perNode as string[][]).flat())].sort();
  }

  /** How many times `command` ran (INFO commandstats), summed over every master on a cluster. */
  async commandCalls(command: string): Promise<number> {
    const pattern = new RegExp(`cmdstat_${command.toLowerCase()}:calls=(\\d+)`);
    const perNode = await this.#eachServer(async (redis) => (await redis.info('commandstats')) as string);
    return perNode.reduce((sum, text) => sum + Number(pattern.exec(text)?.[1] ?? 0), 0);
  }

  /**
   * Commands run so far (INFO commandstats), summed over every master, leaving out those of the clients'
   * housekeeping (slot map, ready checks, replication, INFO itself).
   */
  async dataCommands(): Promise<number> {
    const perNode = await this.#eachServer(async (redis) => (await redis.info('commandstats')) as string);
    let sum = 0;
    for (const text of perNode) {
      for (const [, name, calls] of text.matchAll(/cmdstat_([^:|]+)(?:\|[^:]*)?:calls=(\d+)/g)) {
        if (!HOUSEKEEPING.has(name!)) sum += Number(calls);
      }
    }
    return sum;
  }

  /**
   * Records the commands Redis receives from every client while `action` runs (MONITOR of the server, or
   * of every master on a cluster: in order per master, the masters one after the other), ending with a
   * marker so that nothing is missed. Returns each command lower-cased name first, housekeeping left out.
   */
  async monitor(action: () => Promise<unknown>): Promise<string[][]> {
    const ports = this.#cluster ? (await this.#cluster.masters()).map((m) => m.port) : [this.server.port];
    const marker = `end-of-monitor-${Math.random()}`;
    const watchers = await Promise.all(
      ports.map(async (port) => {
        const base = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
        const monitor = await base.monitor(); // a connection of its own
        base.disconnect();
        const seen: string[][] = [];
        const done = new Promise<void>((resolve) =>
          monitor.on('monitor', (_time: string, args: string[]) => {
            if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) resolve();
            else seen.push([args[0]!.toLowerCase(), ...args.slice(1)]);
          }),
        );
        return { port, monitor, seen, done };
      }),
    );
    try {
      await action();
      await Promise.all(
        watchers.map(async ({ port, done }) => {
          const echo = new Redis({ host: '127.0.0.1', port });
          try {
            await echo.echo(marker);
          } finally {
            echo.disconnect();
          }
          await done;
        }),
      );
    } finally {
      for (const { monitor } of watchers) monitor.disconnect();
    }
    return watchers.flatMap(({ seen }) => seen).filter(([name]) => !HOUSEKEEPING.has(name!));
  }

  /**
   * Restarts the server that holds `key` (the server itself, or the master of `key`'s slot) after
   * `downMs` down, and resolves once it serves again (on a cluster, once the cluster has settled).
   */
  async restartServerOf(key: string, { downMs = 0 } = {}): Promise<void> {
    if (!this.#cluster) {
      await this.server.restart({ downMs });
      return;
    }
    const { port } = await this.#cluster.masterOf(key);
    await this.#cluster.restart(port, { downMs });
  }

  /**
   * Takes Redis away as a crash would (SIGKILL, nothing saved): the server, or every node of the cluster
   * (a master's loss alone is a failover, not an outage). {@link bringRedisBack} starts it again.
   */
  async crashRedis(): Promise<void> {
    if (this.#cluster) await this.#cluster.killAll();
    else await this.server.kill();
  }

  /**
   * Starts Redis again after {@link crashRedis}, `downMs` later, empty unless `persistence` is on, and
   * resolves once it serves again (on a cluster, once every node is back and the cluster has settled).
   */
  async bringRedisBack({ downMs = 0 } = {}): Promise<void> {
    if (this.#cluster) await this.#cluster.restartAll({ downMs });
    else await this.server.restart({ downMs });
  }

  /**
   * How many connections listen on a service or instance channel: PUBSUB NUMSUB, or PUBSUB SHARDNUMSUB
   * of the master that owns the channel's slot on a cluster (what SPUBLISH's answer counts).
   */
  async subscribers(channel: string): Promise<number> {
    const port = this.#cluster ? (await this.#cluster.masterOf(channel)).port : this.server.port;
    const [answer] = await this.#onServers([port], (redis) =>
      redis.call('PUBSUB', this.#cluster ? 'SHARDNUMSUB' : 'NUMSUB', channel),
    );
    return Number((answer as [string, number])[1]);
  }

  /**
   * Has Redis close `connection` (CLIENT KILL on the server it is connected to), as when it drops a
   * client that outgrew its output buffer: the client sees the connection closed and reconnects.
   */
  async killConnection(connection: Redis): Promise<void> {
    const { localAddress, localPort, remotePort } = connection.stream;
    await this.#onServers([remotePort!], (redis) =>
      redis.call('CLIENT', 'KILL', 'ADDR', `${localAddress}:${localPort}`),
    );
  }

  /** Runs `ask` on a direct connection to the server, or to every master of the cluster. */
  async #eachServer<T>(ask: (redis: Redis) => Promise<T>): Promise<T[]> {
    const ports = this.#cluster ? (await this.#cluster.masters()).map((m) => m.port) : [this.server.port];
    return this.#onServers(ports, ask);
  }

  /** Runs `ask` on a direct connection to each server of `ports`. */
  async #onServers<T>(ports: number[], ask: (redis: Redis) => Promise<T>): Promise<T[]> {
    return Promise.all(
      ports.map(async (port) => {
        const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
        try {
          return await ask(redis);
        } finally {
          redis.disconnect();
        }
      }),
    );
  }
}

/**
 * Starts the current test file's Redis on the topology of this run (`HYDRA_TEST_TOPOLOGY`) in
 * `beforeAll` and stops it in `afterAll`: one redis-server, or a 3-master 3-replica cluster (about 2 s).
 *
 * @example
 * const topology = useTopology();
 * it('registers', async () => {
 *   const hydra = new Hydra({ serviceName: 'users', redis: topology.redis });
 *   await hydra.start();
 *   expect(await topology.client().exists(topology.keys.presence('users', hydra.instanceId))).toBe(1);
 * });
 */
export function useTopology(options: TopologyOptions = {}): TestTopology {
  const topology = new TestTopology(options);
  beforeAll(() => topology.start(), 40_000);
  afterAll(() => topology.stop());
  return topology;
}

function readTopology(): TopologyName {
  const value = process.env.HYDRA_TEST_TOPOLOGY ?? 'standalone';
  if (value !== 'standalone' && value !== 'cluster') {
    throw new Error(`HYDRA_TEST_TOPOLOGY is "${value}"; use standalone or cluster`);
  }
  return value;
}
