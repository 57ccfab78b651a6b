import type { HydraLogger } from '../logger.js';
import type { QueueCommands } from './queue-commands.js';

/**
 * Keeps the leases of a consumer's in-flight messages alive: every third of the lease, one script
 * call extends all of them (`ZADD XX`, so a message reclaimed meanwhile is not leased again). A
 * renewal that fails (Redis away) is simply tried again at the next tick; if Redis stays away longer
 * than the lease, other workers may take the messages over: delivery stays at least once.
 */
export class QueueLeaseRenewer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly commands: QueueCommands,
    private readonly leaseMs: number,
    private readonly logger: HydraLogger,
    /** The exact strings of the messages currently in flight. */
    private readonly leased: () => string[],
  ) {}

  /** Starts the periodic renewal. */
  start(): void {
    this.running = true;
    this.schedule();
  }

  /** Stops it (a renewal under way finishes). */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    try {
      await this.commands.renew(this.leased(), this.leaseMs);
    } catch (error) {
      this.logger.debug?.(
        `queue ${this.commands.service}: lease renewal failed (${(error as Error).message})`,
      );
    }
    this.schedule();
  }
}
