import { isCluster, type RedisClient } from '../redis-client.js';

/**
 * Waits, without polling, until a list has an element, on a connection of its own (a blocked
 * connection can do nothing else).
 *
 * The wait is `BLMOVE list list RIGHT RIGHT timeout`: moving the tail of a list onto the same end of
 * itself leaves the list as it was, so it is a pure "block until non-empty" that never holds a
 * message. Aborting it (stop, connection loss) therefore loses nothing.
 */
export class QueueWaiter {
  private connection: RedisClient | undefined;
  private closed = false;

  constructor(
    private readonly base: RedisClient,
    private readonly list: string,
  ) {}

  /**
   * Resolves when the list is non-empty or after `timeoutMs`, or at once after `close()`. Rejects on a
   * connection error (the caller backs off and tries again).
   */
  async wait(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    const connection = this.open();
    if (connection.status === 'wait' || connection.status === 'end') await connection.connect();
    if (this.closed) return;
    await connection.blmove(this.list, this.list, 'RIGHT', 'RIGHT', Math.max(0.01, timeoutMs / 1000));
  }

  /** Ends any wait and closes the connection. */
  close(): void {
    this.closed = true;
    this.connection?.disconnect();
    this.connection = undefined;
  }

  private open(): RedisClient {
    if (!this.connection) {
      // Blocking commands must not be retried by ioredis on reconnection: the caller decides.
      const base = this.base;
      this.connection = isCluster(base)
        ? base.duplicate([], { lazyConnect: true, enableOfflineQueue: false, maxRedirections: 4 })
        : base.duplicate({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      this.connection.on('error', () => undefined);
    }
    return this.connection;
  }
}
