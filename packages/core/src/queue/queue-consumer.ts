import type { HydraContext } from '../context.js';
import { HydraStateError, RedisPermissionError } from '../errors.js';
import { explainRefusal } from '../redis-permission.js';
import { QueueCommands, type Settlement, type TakenMessage } from './queue-commands.js';
import { checkEntry } from './queue-entry.js';
import { UnrecoverableJobError } from './queue-errors.js';
import { QueueHousekeeper } from './queue-housekeeper.js';
import { QueueJob } from './queue-job.js';
import { QueueLeaseRenewer } from './queue-lease-renewer.js';
import {
  errorText,
  resolveConsumerOptions,
  type QueueConsumerOptions,
  type ResolvedConsumerOptions,
} from './queue-options.js';
import { deadLetterOf } from './message-strings.js';
import { QueueTally } from './queue-tally.js';
import { QueueWaiter } from './queue-waiter.js';
import { activeTracer } from '../tracing/active-tracer.js';
import { runInProcessSpan } from '../tracing/message-spans.js';

/** How often a backoff checks whether the command connection is back, ms. */
const BACKOFF_CHECK_MS = 50;

/** Handles one delivery. Returning (or resolving) completes the message; throwing retries it. */
export type QueueHandler = (job: QueueJob) => unknown;

/** Counters of a consumer since it started. */
export interface QueueConsumerStats {
  completed: number;
  /** Deliveries whose handler threw (each then retried or dead-lettered). */
  failed: number;
  retried: number;
  /** Messages moved to `mqincomplete` after their handler failed, or after `maxDeliveries`. */
  deadLettered: number;
  /**
   * Entries moved to `mqincomplete` without running a handler: not valid UTF-8 JSON of a UMF message
   * (with `bdy.reason` when they have an object body), or over `maxMessageBytes` (untouched).
   */
  rejected: number;
  /** Messages returned to received by this consumer's reaper (expired leases, opted-in unleased). */
  reclaimed: number;
  inFlight: number;
}

interface InFlight {
  raw: string;
  abandoned: boolean;
}

/**
 * Consumes one service's work queue with leases: at-least-once delivery that survives worker crashes.
 *
 * - Takes up to `concurrency` messages per round trip (one Lua script also settles the messages that
 *   finished since the last one), so throughput grows with concurrency; idles on a blocking wait, no polling.
 * - Each taken message is leased; leases are renewed while handlers run. A reaper (any worker) returns
 *   messages with expired leases to received; a promoter moves due delayed messages (and retries) there.
 * - A handler that throws is retried with backoff, then dead-lettered to `mqincomplete` with `bdy.reason`.
 * - Survives Redis restarts: commands that fail are retried with backoff (cut short when the connection
 *   is back); settlements are kept until applied.
 *
 * @example
 * const consumer = new QueueConsumer(hydra, { concurrency: 50 }, async (job) => resize(job.payload));
 * await consumer.start();
 * // ...
 * await consumer.stop(); // finishes in-flight work (10 s at most), returns the rest to received
 */
export class QueueConsumer {
  /** The options with defaults applied. */
  readonly options: ResolvedConsumerOptions;
  private readonly commands: QueueCommands;
  private readonly waiter: QueueWaiter;
  private readonly housekeeper: QueueHousekeeper;
  private readonly inFlight = new Set<InFlight>();
  private settlements: Settlement[] = [];
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private syncing = false;
  private syncQueued = false;
  private flushScheduled = false;
  private waiting = false;
  private failures = 0;
  private retrying = false;
  private readonly renewer: QueueLeaseRenewer;
  private stopping: Promise<void> | undefined;
  private readonly tally: QueueTally;

  constructor(
    private readonly ctx: HydraContext,
    options: QueueConsumerOptions,
    private readonly handler: QueueHandler,
  ) {
    this.options = resolveConsumerOptions(options, ctx.identity.serviceName);
    this.commands = new QueueCommands(ctx.redis, ctx.keys, this.options.service);
    this.waiter = new QueueWaiter(ctx.redis, ctx.keys.queueReceived(this.options.service));
    this.housekeeper = new QueueHousekeeper(this.commands, this.options, ctx.logger);
    this.tally = new QueueTally(ctx.logger, this.options.service, this.options.maxMessageBytes);
    this.renewer = new QueueLeaseRenewer(this.commands, this.options.leaseMs, ctx.logger, () =>
      [...this.inFlight].map((e) => e.raw),
    );
  }

  /** The service whose queue this consumer takes from. */
  get service(): string {
    return this.options.service;
  }

  /** Counters since start. */
  get stats(): QueueConsumerStats {
    return { ...this.tally.counts, reclaimed: this.housekeeper.reclaimed, inFlight: this.inFlight.size };
  }

  /** Starts taking messages. The Redis connection (the Hydra instance) must be started first. */
  async start(): Promise<void> {
    if (this.state !== 'new') {
      throw new HydraStateError(`queue consumer of ${this.service} was already started; create a new one`);
    }
    this.state = 'running';
    this.ctx.queueConsumers?.add(this);
    this.housekeeper.start();
    this.renewer.start();
    this.sync();
  }

  /**
   * Stops taking messages, lets in-flight handlers finish for up to `timeoutMs` (default
   * `shutdownTimeoutMs`), then returns the messages still in flight to received (they will be
   * delivered again; a late result of their handler is ignored). Idempotent.
   */
  stop(timeoutMs = this.options.shutdownTimeoutMs): Promise<void> {
    this.stopping ??= this.shutdown(timeoutMs);
    return this.stopping;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.housekeeper.stop();
    this.waiter.close();
    const deadline = Date.now() + timeoutMs;
    // A take under way lands first, so what it took is run (or released) like the rest.
    await this.until(() => !this.syncing, deadline);
    await this.until(() => this.inFlight.size === 0, deadline);
    const left = [...this.inFlight];
    for (const entry of left) entry.abandoned = true;
    this.inFlight.clear();
    // Back to the right end, youngest first, so the oldest is delivered first again.
    this.settlements.push(
      ...left.reverse().map((e): Settlement => ({ kind: 'retry', raw: e.raw, delayMs: 0 })),
    );
    if (this.settlements.length > 0) this.sync();
    await this.until(
      () => !this.syncing && this.settlements.length === 0,
      Math.max(deadline, Date.now() + 2000),
    );
    if (this.settlements.length > 0) {
      this.ctx.logger.warn(
        `queue ${this.service}: stopped with ${this.settlements.length} results not written (Redis unreachable); ` +
          'those messages will be delivered again when their leases expire',
      );
    }
    this.renewer.stop();
    this.state = 'stopped';
    this.ctx.queueConsumers?.retire(this);
  }

  /** One round trip: settle what finished, take what fits. Never runs twice at once. */
  private sync(): void {
    if (this.state === 'stopped') return;
    if (this.syncing) {
      this.syncQueued = true;
      return;
    }
    const take = this.state === 'running' ? this.options.concurrency - this.inFlight.size : 0;
    // While the list is empty the waiter wakes us; until then only results are worth a round trip.
    if (this.settlements.length > 0 || (take > 0 && !this.waiting)) void this.roundTrip(Math.max(0, take));
  }

  private async roundTrip(take: number): Promise<void> {
    this.syncing = true;
    const batch = this.settlements;
    this.settlements = [];
    let taken: TakenMessage[] | undefined;
    try {
      const result = await this.commands.settleAndTake(
        batch,
        take,
        this.options.leaseMs,
        this.options.maxMessageBytes,
      );
      taken = result.taken;
      if (result.oversized > 0) this.tally.oversized(result);
      this.recovered();
    } catch (error) {
      this.settlements = batch.concat(this.settlements);
      this.failed(error);
    }
    this.syncing = false;
    if (taken) {
      for (const t of taken) this.begin(t);
      if (take > 0 && taken.length < take) void this.waitForMessages();
    }
    if (taken && (this.syncQueued || this.settlements.length > 0)) {
      this.syncQueued = false;
      this.sync();
    }
  }

  private begin(taken: TakenMessage): void {
    if (this.state === 'stopped') return; // taken after stop: its lease expires and it comes back
    const checked = checkEntry(taken);
    if (checked.rejected !== undefined) {
      this.tally.rejected(checked.rejected, taken.raw);
      this.settle({ kind: 'fail', raw: taken.bytes ?? taken.raw, deadLetter: checked.deadLetter });
      return;
    }
    const message = checked.message;
    if (taken.attempt > this.options.maxDeliveries) {
      const reason =
        `delivered ${taken.attempt - 1} times without being settled (maxDeliveries ` +
        `${this.options.maxDeliveries}); its worker may crash or stall on it`;
      this.tally.deadLettered(`message ${message.mid} moved to mqincomplete: ${reason}`, 'error');
      this.settle({ kind: 'fail', raw: taken.raw, deadLetter: deadLetterOf(message, taken.raw, reason) });
      return;
    }
    const entry: InFlight = { raw: taken.raw, abandoned: false };
    this.inFlight.add(entry);
    const firstDeliveredAt = new Date(taken.firstDeliveredAt);
    void this.run(entry, new QueueJob(this.service, message, taken.raw, taken.attempt, firstDeliveredAt));
  }

  private async run(entry: InFlight, job: QueueJob): Promise<void> {
    let outcome: Settlement;
    try {
      await this.handle(job);
      outcome = { kind: 'done', raw: entry.raw };
      this.tally.counts.completed++;
    } catch (error) {
      outcome = this.outcomeOfFailure(job, error);
    }
    if (entry.abandoned) return;
    this.inFlight.delete(entry);
    this.settle(outcome);
  }

  /** Runs the handler, in a span joined to the sender's trace when an OpenTelemetry SDK is registered. */
  private handle(job: QueueJob): unknown {
    const tracer = activeTracer();
    if (tracer === undefined) return this.handler(job);
    const attributes = {
      'messaging.consumer.group.name': this.service,
      'messaging.hydra.job.attempt': job.attempt,
    };
    return runInProcessSpan(tracer, job.message, this.service, 'queue', () => this.handler(job), attributes);
  }

  private outcomeOfFailure(job: QueueJob, error: unknown): Settlement {
    this.tally.counts.failed++;
    const decision =
      error instanceof UnrecoverableJobError
        ? { deadLetter: errorText(error) }
        : this.options.retryPolicy(job, error);
    if ('deadLetter' in decision) {
      this.tally.deadLettered(
        `message ${job.mid ?? '(no mid)'} (typ ${job.typ ?? 'none'}) moved to mqincomplete on attempt ` +
          `${job.attempt}: ${decision.deadLetter}`,
      );
      return {
        kind: 'fail',
        raw: job.raw,
        deadLetter: deadLetterOf(job.message, job.raw, decision.deadLetter),
      };
    }
    this.tally.counts.retried++;
    if (decision.retryInMs > 0) this.housekeeper.promoteWithin(decision.retryInMs);
    return { kind: 'retry', raw: job.raw, delayMs: decision.retryInMs };
  }

  private settle(outcome: Settlement): void {
    if (this.state === 'stopped') return;
    this.settlements.push(outcome);
    // Group commit: every result of this turn of the event loop goes in one round trip.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.sync();
      });
    }
  }

  private async waitForMessages(): Promise<void> {
    if (this.waiting || this.state !== 'running') return;
    this.waiting = true;
    try {
      await this.waiter.wait(this.options.blockTimeoutMs);
      this.recovered();
    } catch (error) {
      if (this.state !== 'running') return;
      this.failed(error, false);
      await this.backoff();
    }
    this.waiting = false;
    this.sync();
  }

  private failed(error: unknown, retry = true): void {
    if (this.failures++ === 0) {
      const explained = explainRefusal(error, this.ctx);
      if (explained instanceof RedisPermissionError) {
        this.ctx.logger.error(`queue ${this.service}: ${explained.message} Retrying until it is granted.`);
      } else {
        this.ctx.logger.warn(
          `queue ${this.service}: Redis command failed (${errorText(error)}); retrying until Redis answers again`,
        );
      }
    }
    if (!retry || this.retrying) return;
    this.retrying = true;
    void this.backoff().then(() => {
      this.retrying = false;
      this.sync();
    });
  }

  /**
   * Waits before trying Redis again: the backoff, cut short once the command connection is ready again
   * after being down, so that work resumes as soon as Redis is back instead of up to a second later.
   */
  private async backoff(): Promise<void> {
    const { redis } = this.ctx;
    const until = Date.now() + this.backoffMs();
    const wasDown = redis.status !== 'ready';
    while (Date.now() < until && !(wasDown && redis.status === 'ready')) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(BACKOFF_CHECK_MS, until - Date.now())).unref(),
      );
    }
  }

  private recovered(): void {
    if (this.failures === 0) return;
    this.failures = 0;
    this.ctx.logger.log(`queue ${this.service}: Redis answers again; consuming`);
  }

  private backoffMs(): number {
    return Math.min(1000, 25 * 2 ** Math.min(this.failures, 6));
  }

  private until(done: () => boolean, deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (done() || Date.now() >= deadline) resolve();
        else setTimeout(check, 10);
      };
      check();
    });
  }
}
