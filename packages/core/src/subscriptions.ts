import type { Redis } from 'ioredis';

/**
 * The channels an instance listens on, on its subscriber connection: its own channels, fixed at start,
 * and the announcement channels of the services it watches, added and dropped while it runs. On one
 * server, all are classic pub/sub. On a cluster, the service and instance channels (which share the
 * service's hash tag, so one slot) are sharded (SSUBSCRIBE): a message to them crosses only the master
 * that owns the slot, where a classic PUBLISH is copied to every node. The announcement channels stay
 * classic: they live in other slots than the connection's master, and a classic PUBLISH reaches every
 * node, that master included. Both kinds share the one connection, to the slot's master.
 */
export class Subscriptions {
  private own: string[] = [];
  /** Classic channels followed while running; subscribed again with the own ones after a reconnect. */
  private readonly followed = new Set<string>();

  constructor(
    private readonly subscriber: Redis,
    /** Whether the own channels are sharded (a cluster). */
    readonly sharded: boolean,
  ) {}

  /** Calls `listener` with each message of every channel subscribed to. */
  onMessage(listener: (channel: string, payload: string) => void): void {
    this.subscriber.on('message', listener);
    if (this.sharded) this.subscriber.on('smessage', listener);
  }

  /** Every channel listened on now (own and followed). */
  channels(): string[] {
    return [...this.own, ...this.followed];
  }

  /**
   * Subscribes to the instance's own channels (remembered for {@link subscribeAgain}) and to every
   * channel followed so far; resolves once Redis confirmed every subscription, so messages to them reach
   * the instance from then on.
   */
  async subscribe(own: string[]): Promise<void> {
    this.own = [...own];
    await this.subscribeAgain();
  }

  /** Subscribes to every channel again (after the subscriber reconnected: Redis forgot them). */
  async subscribeAgain(): Promise<void> {
    const classic = [...this.followed];
    if (!this.sharded) {
      if (this.own.length + classic.length > 0) await this.subscriber.subscribe(...this.own, ...classic);
      return;
    }
    await Promise.all([
      classic.length > 0 ? this.subscriber.subscribe(...classic) : undefined,
      this.own.length > 0 ? this.subscriber.ssubscribe(...this.own) : undefined,
    ]);
  }

  /**
   * Listens on the classic `channel` from now on, also after reconnects. Resolves once Redis confirmed
   * it; while the subscriber is not connected, at once (the reconnection subscribes to it).
   */
  async follow(channel: string): Promise<void> {
    if (this.followed.has(channel)) return;
    this.followed.add(channel);
    if (this.subscriber.status === 'ready') await this.subscriber.subscribe(channel);
  }

  /** Stops listening on a followed `channel`. */
  async unfollow(channel: string): Promise<void> {
    if (!this.followed.delete(channel)) return;
    if (this.subscriber.status === 'ready') await this.subscriber.unsubscribe(channel);
  }
}
