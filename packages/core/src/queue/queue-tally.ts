import { LogThrottle } from '../log-throttle.js';
import type { HydraLogger } from '../logger.js';
import type { TakeResult } from './queue-commands.js';

/** Each kind of line is logged at most this often: rejected entries and dead letters can come by the thousand. */
const REPEATED_LOG_MS = 1000;

/**
 * A consumer's counters (see `QueueConsumerStats`), and its log of what it moved to `mqincomplete`: one
 * line a second at most per kind, with the count so far.
 */
export class QueueTally {
  readonly counts = { completed: 0, failed: 0, retried: 0, deadLettered: 0, rejected: 0 };
  private readonly rejectedLog = new LogThrottle(REPEATED_LOG_MS);
  private readonly deadLetterLog = new LogThrottle(REPEATED_LOG_MS);

  constructor(
    private readonly logger: HydraLogger,
    private readonly service: string,
    private readonly maxMessageBytes: number,
  ) {}

  /** An entry moved to mqincomplete without running, `reason` saying why. */
  rejected(reason: string, raw: string): void {
    this.counts.rejected++;
    this.logRejected(`moved an entry to mqincomplete without running it, as ${reason}: ${raw.slice(0, 80)}`);
  }

  /** Entries over the size limit that the take script moved to mqincomplete. */
  oversized({ oversized, largestOversized }: TakeResult): void {
    this.counts.rejected += oversized;
    this.logRejected(
      `moved ${oversized} message${oversized === 1 ? '' : 's'} over queue.maxMessageBytes ` +
        `(${this.maxMessageBytes} bytes; the largest: ${largestOversized}) to mqincomplete untouched`,
    );
  }

  /** A message moved to mqincomplete after its handler failed, or after too many deliveries. */
  deadLettered(what: string, level: 'warn' | 'error' = 'warn'): void {
    this.counts.deadLettered++;
    if (!this.deadLetterLog.due()) return;
    this.logger[level](`queue ${this.service}: ${what} [${this.counts.deadLettered} dead letters so far]`);
  }

  private logRejected(what: string): void {
    if (!this.rejectedLog.due()) return;
    this.logger.warn(
      `queue ${this.service}: ${what} [${this.counts.rejected} rejected so far; ` +
        `QueueService.peek('${this.service}', 'incomplete') shows them]`,
    );
  }
}
