import type { Hydra } from '@hydra-nest/core';
import type { Redis } from 'ioredis';

/**
 * Counts the UMF messages published to each service's channel and its instances' channels, from one
 * pattern subscription on a connection of its own, opened only while somebody watches. Redis Cluster's
 * sharded channels take no pattern, so on a cluster nothing is counted ({@link supported} is false).
 */
export class MessageTap {
  private subscriber: Redis | undefined;
  private readonly counts = new Map<string, number>();
  /** Channel name -> service, for the channels of the services and instances shown. */
  private serviceOf = new Map<string, string>();

  constructor(private readonly hydra: Hydra) {}

  /** Whether messages can be counted on this Redis (not a cluster). */
  get supported(): boolean {
    return !this.hydra.redis.isCluster;
  }

  /** Opens the subscription; resolves once Redis confirmed it. A failure leaves the tap closed. */
  async start(): Promise<void> {
    if (!this.supported || this.subscriber) return;
    // Its own connection, connected on demand; it re-subscribes itself after a reconnect, with the error
    // observed (ioredis' own resubscription would leave a rejection unhandled when closed meanwhile).
    const subscriber = (this.hydra.redis as Redis).duplicate({
      lazyConnect: true,
      enableOfflineQueue: true,
      autoResubscribe: false,
    });
    this.subscriber = subscriber;
    const pattern = this.hydra.keys.aclChannelPattern();
    let subscribed = false;
    subscriber.on('error', () => undefined); // the poll loop reports Redis outages
    subscriber.on('ready', () => {
      if (subscribed && this.subscriber === subscriber) subscriber.psubscribe(pattern).catch(() => undefined);
    });
    subscriber.on('pmessage', (_pattern: string, channel: string) => {
      const service = this.serviceOf.get(channel);
      if (service !== undefined) this.counts.set(service, (this.counts.get(service) ?? 0) + 1);
    });
    try {
      await subscriber.connect();
      await subscriber.psubscribe(pattern);
      subscribed = true;
    } catch (error) {
      if (this.subscriber === subscriber) this.stop();
      throw error;
    }
  }

  /** Says which channels belong to which service: each service's channel and its instances' channels. */
  follow(instancesByService: Map<string, readonly string[]>): void {
    const next = new Map<string, string>();
    for (const [service, ids] of instancesByService) {
      next.set(this.hydra.keys.serviceChannel(service), service);
      for (const id of ids) next.set(this.hydra.keys.instanceChannel(service, id), service);
    }
    this.serviceOf = next;
  }

  /** Messages counted for `service` since the tap opened (only grows). */
  count(service: string): number {
    return this.counts.get(service) ?? 0;
  }

  /** Closes the subscription. */
  stop(): void {
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }
}
