import type { Cluster, Redis } from 'ioredis';
import { hashSlot } from '../hash-slot.js';
import { isCluster, type RedisClient } from '../redis-client.js';

/** A socket that can buffer writes (a net or TLS socket). */
export type CorkableStream = NodeJS.WritableStream & { cork?(): void; uncork?(): void };

/**
 * Finds the socket a command on a channel will be written to: the one connection's on one server; on a
 * cluster, the connection to the master that owns the channel's slot (by the client's slot map), so
 * that a burst of SPUBLISHes to one master can be coalesced as on one server.
 */
export class NodeStreams {
  private byAddress = new Map<string, Redis>();

  constructor(private readonly redis: RedisClient) {
    // A node leaving or joining makes the address map stale; it is rebuilt on the next lookup.
    if (isCluster(redis)) {
      redis.on('+node', () => this.byAddress.clear());
      redis.on('-node', () => this.byAddress.clear());
    }
  }

  /** The socket a command on `channel` goes out on, or undefined when not known (yet). */
  streamFor(channel: string): CorkableStream | undefined {
    const redis = this.redis;
    if (!isCluster(redis)) return streamOf(redis);
    const node = this.nodeFor(redis, channel);
    return node && streamOf(node);
  }

  /**
   * On a cluster, the ready connection to the master that owns `channel`'s slot by the client's slot
   * map, or undefined (not a cluster, slot not mapped yet, node not ready).
   */
  masterFor(channel: string): Redis | undefined {
    const redis = this.redis;
    if (!isCluster(redis)) return undefined;
    const node = this.nodeFor(redis, channel);
    return node?.status === 'ready' ? node : undefined;
  }

  private nodeFor(cluster: Cluster, channel: string): Redis | undefined {
    const address = cluster.slots[hashSlot(channel)]?.[0];
    if (!address) return undefined;
    let node = this.byAddress.get(address);
    if (!node) {
      this.byAddress = addressesOf(cluster);
      node = this.byAddress.get(address);
    }
    return node;
  }
}

function streamOf(redis: Redis): CorkableStream | undefined {
  return (redis as unknown as { stream?: CorkableStream }).stream;
}

function addressesOf(cluster: Cluster): Map<string, Redis> {
  const map = new Map<string, Redis>();
  for (const node of cluster.nodes('master')) map.set(`${node.options.host}:${node.options.port}`, node);
  return map;
}
