import { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { closeReplicaConnections } from './cluster-replica-connections.js';
import { checkSlotMapPeriodically } from './cluster-slot-check.js';
import { HydraConfigError } from './errors.js';

/** One node of a Redis Cluster to start from: `{ host, port }` or `'host:port'`. */
export type ClusterNodeAddress = { host: string; port: number } | string;

/**
 * A Redis Cluster (Redis 7+): a few nodes to start from (the others are learnt from them) and any
 * ioredis `ClusterOptions`, applied last. Keys of one service share a hash tag (one slot), and service
 * and instance channels use sharded pub/sub, so a message crosses only the master that owns its slot.
 *
 * @example
 * redis: { cluster: { nodes: ['10.0.0.5:7000', '10.0.0.6:7000'] }, password: 'secret' }
 */
export interface ClusterConnectionOptions extends ClusterOptions {
  nodes: ClusterNodeAddress[];
}

/** What the cluster connections are made from: the `redis` options that apply to every node. */
export interface ClusterNodeSettings {
  url?: string;
  host?: string;
  port?: number;
  db?: number;
  sentinel?: unknown;
  username?: string;
  password?: string;
  tls?: boolean | TlsOptions;
  connectTimeoutMs?: number;
  maxReconnectDelayMs?: number;
}

/**
 * The command connection to a cluster, what its subscriber connection is made of (see
 * `createClusterSubscriber`), and a printable address.
 */
export interface ClusterClients {
  command: Cluster;
  /** Options of the subscriber's connection to one master: the node options, reconnecting. */
  subscriberOptions: RedisOptions;
  /** A startup node, `host:port`: where the subscriber goes while the slot map names no owner. */
  firstNode: string;
  address: string;
}

/**
 * Creates (without connecting) the command connection of a Hydra instance to a cluster, and the options
 * of its subscriber connection.
 *
 * @throws `HydraConfigError` when `settings` also give a single server or Sentinel, or a db.
 */
export function createClusterClients(
  cluster: ClusterConnectionOptions,
  settings: ClusterNodeSettings,
): ClusterClients {
  const conflicting = (['url', 'host', 'port', 'db', 'sentinel'] as const).filter(
    (name) => settings[name] !== undefined,
  );
  if (conflicting.length > 0) {
    throw new HydraConfigError(
      `redis options give both \`cluster\` and ${conflicting.map((n) => `\`${n}\``).join(', ')}; a cluster ` +
        'is found through its nodes and has only db 0: remove them (username, password and tls apply to every node)',
    );
  }
  const { nodes, redisOptions, ...extra } = cluster;
  const startup = parseNodes(nodes);
  const maxDelay = settings.maxReconnectDelayMs ?? 500;
  const base: ClusterOptions = {
    lazyConnect: true,
    // A command that meets a failing-over master is tried again every 100 ms (ioredis'
    // retryDelayOnFailover) for ~4 s rather than ioredis' 1.6 s, so it rides out a failover that a
    // 1-2 s cluster-node-timeout allows; the request's own deadline still bounds a caller's wait.
    maxRedirections: 40,
    clusterRetryStrategy: (attempt) => Math.min(50 * attempt, maxDelay),
    redisOptions: {
      connectTimeout: settings.connectTimeoutMs ?? 2000,
      maxRetriesPerRequest: 1,
      ...(settings.username !== undefined && { username: settings.username }),
      ...(settings.password !== undefined && { password: settings.password }),
      ...(settings.tls && { tls: settings.tls === true ? {} : settings.tls }),
      // The caller's node options add to these (credentials and TLS given above are kept).
      ...redisOptions,
    },
  };
  const command = new Cluster(startup, {
    ...base,
    // No periodic read of ioredis' own (a connection made and closed each time): see below.
    slotsRefreshInterval: 0,
    // Commands fail fast while the cluster is away instead of piling up; timers simply try again.
    // (ioredis 5.11's auto-pipelining breaks on the queue's scripts: "commandName.toLowerCase is not a
    // function" in its blocking-command check.)
    enableOfflineQueue: false,
    ...extra,
  });
  closeReplicaConnections(command);
  // Changes are followed as they show (MOVED, a pushed SUNSUBSCRIBE, a lost master: see
  // `rereadSlotsOnNodeLoss`); the rest is checked over a connection already open, unless the caller
  // chose ioredis' own period.
  if (extra.slotsRefreshInterval === undefined) checkSlotMapPeriodically(command);
  // Resubscribing after a reconnect is the instance's job, as on one server (see hydra.ts).
  const subscriberOptions: RedisOptions = {
    ...base.redisOptions,
    lazyConnect: true,
    enableOfflineQueue: true,
    autoResubscribe: false,
    retryStrategy: (attempt) => Math.min(50 * attempt, maxDelay),
  };
  const list = startup.map((n) => `${n.host}:${n.port}`);
  return { command, subscriberOptions, firstNode: list[0]!, address: `redis cluster ${list.join(',')}` };
}

function parseNodes(nodes: unknown): Array<{ host: string; port: number }> {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new HydraConfigError(
      'redis.cluster.nodes must list at least one node, as { host, port } or "host:port"',
    );
  }
  return nodes.map((node: unknown) => {
    if (typeof node === 'string') {
      const at = node.lastIndexOf(':');
      const port = Number(node.slice(at + 1));
      if (at > 0 && Number.isInteger(port) && port > 0) return { host: node.slice(0, at), port };
    } else if (typeof node === 'object' && node !== null) {
      const { host, port } = node as { host?: unknown; port?: unknown };
      if (typeof host === 'string' && host !== '' && Number.isInteger(port) && (port as number) > 0) {
        return { host, port: port as number };
      }
    }
    throw new HydraConfigError(
      `redis.cluster.nodes has ${JSON.stringify(node)}; give { host, port } or "host:port"`,
    );
  });
}
