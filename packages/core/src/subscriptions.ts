import type { Redis } from 'ioredis';

/**
 * The channels an instance listens on, on its subscriber connection. On one server, all are classic
 * pub/sub. On a cluster, the service and instance channels (which share the service's hash tag, so one
 * slot) are sharded (SSUBSCRIBE): a message to them crosses only the master that owns the slot, where a
 * classic PUBLISH is copied to every node. The announcement channel stays classic: it is rare, and every
 * instance of every service listens to it. Both kinds share the one connection, to the slot's master.
 */
export class Subscriptions {
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

  /**
   * Subscribes to the shared channels (classic) and to the instance's own channels; resolves once Redis
   * confirmed every subscription, so messages to them reach the instance from then on.
   */
  async subscribe(shared: string[], own: string[]): Promise<void> {
    if (!this.sharded) {
      await this.subscriber.subscribe(...shared, ...own);
      return;
    }
    await Promise.all([
      this.subscriber.subscribe(...shared),
      own.length > 0 ? this.subscriber.ssubscribe(...own) : undefined,
    ]);
  }
}
