/** A consumer's counters that keep growing (see `QueueConsumerStats`). */
export interface QueueJobCounts {
  completed: number;
  /** Handler failures, whether retried or dead-lettered after. */
  failed: number;
  retried: number;
  deadLettered: number;
  rejected: number;
}

/** What the registry reads of a consumer. */
interface CountedConsumer {
  readonly service: string;
  readonly stats: QueueJobCounts & { inFlight: number };
}

const ZERO: QueueJobCounts = { completed: 0, failed: 0, retried: 0, deadLettered: 0, rejected: 0 };

function add(into: QueueJobCounts, from: QueueJobCounts): void {
  into.completed += from.completed;
  into.failed += from.failed;
  into.retried += from.retried;
  into.deadLettered += from.deadLettered;
  into.rejected += from.rejected;
}

/**
 * The queue consumers of a Hydra instance (`hydra.queueConsumers`), for metrics: counters per service,
 * those of consumers that stopped included, so that they only ever grow.
 */
export class QueueConsumerRegistry {
  private readonly running = new Set<CountedConsumer>();
  private readonly stopped = new Map<string, QueueJobCounts>();

  /** A consumer started. */
  add(consumer: CountedConsumer): void {
    this.running.add(consumer);
  }

  /** A consumer stopped: its counters are kept, folded into its service's. */
  retire(consumer: CountedConsumer): void {
    if (!this.running.delete(consumer)) return;
    const kept = this.stopped.get(consumer.service) ?? { ...ZERO };
    add(kept, consumer.stats);
    this.stopped.set(consumer.service, kept);
  }

  /** The services consumed here now or before. */
  services(): string[] {
    return [...new Set([...this.stopped.keys(), ...[...this.running].map((c) => c.service)])];
  }

  /** Job counters by service since the instance started, and jobs in flight now. */
  counts(): Map<string, QueueJobCounts & { inFlight: number }> {
    const totals = new Map<string, QueueJobCounts & { inFlight: number }>();
    for (const [service, counts] of this.stopped) totals.set(service, { ...counts, inFlight: 0 });
    for (const consumer of this.running) {
      const stats = consumer.stats;
      const total = totals.get(consumer.service) ?? { ...ZERO, inFlight: 0 };
      add(total, stats);
      total.inFlight += stats.inFlight;
      totals.set(consumer.service, total);
    }
    return totals;
  }
}
