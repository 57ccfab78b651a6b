import type { HydraLogger } from '../logger.js';
import type { QueueCommands } from './queue-commands.js';
import type { ResolvedConsumerOptions } from './queue-options.js';

/**
 * The periodic chores of a consumer, each one atomic Lua script that any number of workers may run at
 * once: the reaper returns messages with expired leases (and, opted in, stale unleased ones) to
 * received; the promoter moves due delayed messages to received. The promoter wakes at the next due
 * time it knows of, and at least every `promoteIntervalMs` for messages other processes delayed.
 */
export class QueueHousekeeper {
  private reapTimer: NodeJS.Timeout | undefined;
  private promoteTimer: NodeJS.Timeout | undefined;
  private promoteAt = Infinity;
  private running = false;
  /** Messages returned to received by this housekeeper (expired leases and unleased ones). */
  reclaimed = 0;

  constructor(
    private readonly commands: QueueCommands,
    private readonly options: ResolvedConsumerOptions,
    private readonly logger: HydraLogger,
  ) {}

  /** Starts both chores, running each once right away. */
  start(): void {
    this.running = true;
    void this.reap();
    void this.promote();
  }

  /** Stops both chores (a run in progress finishes). */
  stop(): void {
    this.running = false;
    clearTimeout(this.reapTimer);
    clearTimeout(this.promoteTimer);
  }

  /** Makes sure the promoter runs by `inMs` from now (a retry was just scheduled). */
  promoteWithin(inMs: number): void {
    this.schedulePromote(inMs);
  }

  private async reap(): Promise<void> {
    if (!this.running) return;
    try {
      let result = await this.commands.reclaimExpired();
      this.reclaimed += result.moved;
      while (result.expired === 1000 && this.running) {
        result = await this.commands.reclaimExpired();
        this.reclaimed += result.moved;
      }
      if (this.options.reclaimUnleased) {
        this.reclaimed += await this.commands.reclaimUnleased(this.options.reclaimUnleased.afterMs);
      }
    } catch (error) {
      this.logger.debug?.(
        `queue ${this.commands.service}: lease reaper failed (${(error as Error).message}); will retry`,
      );
    }
    if (!this.running) return;
    this.reapTimer = setTimeout(() => void this.reap(), this.options.reclaimIntervalMs);
    this.reapTimer.unref();
  }

  private async promote(): Promise<void> {
    this.promoteTimer = undefined;
    this.promoteAt = Infinity;
    if (!this.running) return;
    let nextInMs = this.options.promoteIntervalMs;
    try {
      const { moved, nextDueInMs } = await this.commands.promoteDue();
      if (moved === 1000) nextInMs = 0;
      else if (nextDueInMs !== undefined) nextInMs = Math.min(nextInMs, nextDueInMs);
    } catch (error) {
      this.logger.debug?.(
        `queue ${this.commands.service}: delayed-message promoter failed (${(error as Error).message}); will retry`,
      );
    }
    this.schedulePromote(nextInMs);
  }

  private schedulePromote(inMs: number): void {
    if (!this.running) return;
    const at = Date.now() + inMs;
    if (this.promoteTimer && at >= this.promoteAt) return;
    clearTimeout(this.promoteTimer);
    this.promoteAt = at;
    this.promoteTimer = setTimeout(() => void this.promote(), Math.max(0, inMs));
    this.promoteTimer.unref();
  }
}
