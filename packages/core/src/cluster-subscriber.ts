import { AbstractConnector, Redis, type Cluster } from 'ioredis';
import { createConnection } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsOptions } from 'node:tls';
import type { ClusterClients } from './cluster-connection.js';
import { rereadSlotsOnNodeLoss } from './cluster-node-loss.js';
import { hashSlot } from './hash-slot.js';
import type { HydraLogger } from './logger.js';

/** A node of the cluster as ioredis keys it: `host:port`. */
type NodeKey = string;

/** The ioredis stream type its connectors hand over. */
type NetStream = Awaited<ReturnType<AbstractConnector['connect']>>;

/**
 * The subscriber connection of an instance on a Redis Cluster: one plain connection to the master that
 * owns the slot of the instance's channels (its service and instance channels share the service's hash
 * tag, so one slot, so one master), holding both the classic announcement channel and the sharded own
 * channels. Being one ordinary connection, it behaves as the subscriber on one server does: `close` when
 * it is lost, `ready` when back, `end` when given up, and SSUBSCRIBE's answer proves the channels live.
 *
 * Each (re)connection goes to the slot's owner as the command connection's slot map names it then (that
 * map is read again before each attempt), so a failover is followed by reconnecting. A slot move is
 * followed by {@link followSlotOwner}. (ioredis' own sharded subscribers report neither their loss nor their
 * return, and stay deaf once their cluster client has ended.)
 */
export interface ClusterSubscriber {
  /** The connection: created lazily, connected by `Hydra.start()`. */
  readonly redis: Redis;
  /** The slot of the instance's channels. */
  readonly slot: number;
  /** The node it is connected (or connecting) to, `host:port`; undefined before the first attempt. */
  connectedTo(): NodeKey | undefined;
  /** The node that owns the slot now, as the command connection's slot map says. */
  owner(): NodeKey | undefined;
  /**
   * Starts following the slot's owner ({@link followSlotOwner}) and calls `onClusterChanged` when a
   * master takes over slots ({@link watchSlotOwners}); returns a function that stops both.
   */
  follow(logger: HydraLogger, name: string, onClusterChanged: () => void): () => void;
}

/**
 * Creates (without connecting) the subscriber connection for `channel`'s slot, from the cluster clients
 * of the instance (its command connection, and the node options); a startup node is tried while the
 * slot map names no owner.
 */
export function createClusterSubscriber(clients: ClusterClients, channel: string): ClusterSubscriber {
  const { command, subscriberOptions: options, firstNode: fallback } = clients;
  const slot = hashSlot(channel);
  let connected: NodeKey | undefined;
  const owner = (): NodeKey | undefined => command.slots[slot]?.[0];
  const target = (): { host: string; port: number } => {
    connected = owner() ?? connected ?? fallback;
    return mapNode(command, connected);
  };
  const tls = options.tls;
  // ioredis builds its connector from this class at each connection; it asks `target()` each time.
  class SlotOwnerConnector extends AbstractConnector {
    constructor() {
      super(options.disconnectTimeout ?? 2000);
    }

    connect(): Promise<NetStream> {
      const { host, port } = target();
      this.connecting = true;
      return new Promise((resolve, reject) => {
        // As ioredis' own connector: the stream is made on the next tick, unless disconnected meanwhile.
        process.nextTick(() => {
          if (!this.connecting) return reject(new Error('Connection is closed.'));
          const stream = tls
            ? tlsConnect({ ...(tls as TlsOptions), host, port })
            : createConnection({ host, port });
          stream.once('error', (error: Error) => (this.firstError = error));
          this.stream = stream;
          resolve(stream);
        });
      });
    }
  }
  const redis = new Redis({ ...options, Connector: SlotOwnerConnector });
  const subscriber: ClusterSubscriber = {
    redis,
    slot,
    connectedTo: () => connected,
    owner,
    follow(logger, name, onClusterChanged) {
      const stops = [
        followSlotOwner(subscriber, command, logger, name),
        watchSlotOwners(command, onClusterChanged),
        rereadSlotsOnNodeLoss(command),
      ];
      return () => stops.forEach((stop) => stop());
    },
  };
  return subscriber;
}

/** The address to dial for `node`, through the cluster's `natMap` when it has one. */
function mapNode(command: Cluster, node: NodeKey): { host: string; port: number } {
  const natMap = command.options.natMap;
  const mapped = typeof natMap === 'function' ? natMap(node) : natMap?.[node];
  if (mapped) return mapped;
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}

/**
 * Keeps `subscriber` on the master of its slot: when the slot map (read again after a lost master and
 * every 30 s) names another owner, when Redis pushes a SUNSUBSCRIBE (the slot moved away), or when an
 * SSUBSCRIBE meets MOVED, the slot map is read now and the connection is made again to the owner, where
 * the instance's connection watcher subscribes again. While the connection is lost, the slot map is read
 * before each attempt, so that a failover is followed as soon as the cluster has made it. Returns a
 * function that stops following.
 */
export function followSlotOwner(
  subscriber: ClusterSubscriber,
  command: Cluster,
  logger: HydraLogger,
  name: string,
): () => void {
  const { redis, slot } = subscriber;
  let moving = false;
  const moveIfOwnerChanged = () => {
    const owner = subscriber.owner();
    if (moving || redis.status !== 'ready' || !owner || owner === subscriber.connectedTo()) return;
    logger.log(
      `${name}: slot ${slot} of its channels is now served by ${owner} (was ${subscriber.connectedTo()}); ` +
        'its subscriber connects there',
    );
    redis.disconnect(true);
  };
  const onPushedAway = () => {
    if (moving) return;
    moving = true;
    // The slot map may not say so yet: read it now, then reconnect to whoever owns the slot.
    command.refreshSlotsCache(() => {
      moving = false;
      if (redis.status === 'ready') redis.disconnect(true);
    });
  };
  const onError = (error: Error) => {
    // ioredis reports a SUNSUBSCRIBE pushed by the server (the slot moved away) as an error of its queue.
    if (/Last reply: sunsubscribe/.test(error.message)) onPushedAway();
  };
  // Lost, maybe with its master (a failover): read the slot map before each attempt.
  const onReconnecting = () => command.refreshSlotsCache();
  command.on('refresh', moveIfOwnerChanged);
  redis.on('moved', onPushedAway);
  redis.on('error', onError);
  redis.on('reconnecting', onReconnecting);
  return () => {
    command.off('refresh', moveIfOwnerChanged);
    redis.off('moved', onPushedAway);
    redis.off('error', onError);
    redis.off('reconnecting', onReconnecting);
  };
}

/**
 * Calls `onChange` when the slot map the command connection reads again names another master
 * for some slot (a failover, a slot move): the instances there will be subscribing again in a moment.
 * Returns a function that stops watching.
 */
export function watchSlotOwners(command: Cluster, onChange: () => void): () => void {
  let owners: Array<NodeKey | undefined> = [];
  const compare = () => {
    const now = command.slots;
    let changed = owners.length > 0 && owners.length !== now.length;
    for (let slot = 0; !changed && slot < owners.length; slot++) changed = owners[slot] !== now[slot]?.[0];
    owners = now.map((nodes) => nodes?.[0]);
    if (changed) onChange();
  };
  command.on('refresh', compare);
  return () => command.off('refresh', compare);
}
