import type { Cluster, Redis } from 'ioredis';
import { hashSlot } from '../hash-slot.js';
import { isCluster, type RedisClient } from '../redis-client.js';

/**
 * Finds the connection a command on a channel is written to: the one connection on one server; on a
 * cluster, the connection to the master that owns the channel's slot (by the client's slot map), so
 * that a burst of SPUBLISHes to one master can be coalesced and written as on one server.
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

  /**
   * The connection a command on `channel` goes out on (on a cluster, its master's, whatever its status),
   * or undefined when the slot is not mapped yet.
   */
  connectionFor(channel: string): Redis | undefined {
    const redis = this.redis;
    return isCluster(redis) ? this.masterOf(redis, channel) : redis;
  }

  private masterOf(cluster: Cluster, channel: string): Redis | undefined {
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

/**
 * The connection of `cluster`'s client to the master that owns `name`'s slot (a key's or a channel's),
 * or undefined when the slot map names none yet.
 */
export function masterConnectionFor(cluster: Cluster, name: string): Redis | undefined {
  const address = cluster.slots[hashSlot(name)]?.[0];
  return address === undefined ? undefined : addressesOf(cluster).get(address);
}

function addressesOf(cluster: Cluster): Map<string, Redis> {
  const map = new Map<string, Redis>();
  for (const node of cluster.nodes('master')) map.set(`${node.options.host}:${node.options.port}`, node);
  return map;
}
