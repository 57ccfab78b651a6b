import { HydraConfigError } from '../errors.js';
import { messageSizeLimit } from '../messaging/message-size.js';
import type { QueueJob } from './queue-job.js';

/** Options of the work queue shared by producers (`WorkQueue`) and consumers (`QueueConsumer`). */
export interface QueueOptions {
  /**
   * Largest queued message, in bytes of its JSON text. `queueMessage` refuses a larger one with
   * `MessageTooLargeError` (413) before anything is queued; a consumer moves one it finds in the queue
   * (queued by another producer) to `mqincomplete` untouched, without loading it. Default 8 MiB, as
   * `messaging.maxMessageBytes`; `Infinity` for no limit.
   */
  maxMessageBytes?: number;
}

/**
 * Exponential backoff between attempts: the n-th retry waits `min(maxDelayMs, delayMs * factor^(n-1))`.
 * `factor: 1` gives a fixed delay; `delayMs: 0` retries at once.
 */
export interface QueueBackoffOptions {
  /** Wait before the first retry, ms. Default 1000. */
  delayMs?: number;
  /** Growth per retry. Default 2. */
  factor?: number;
  /** Longest wait, ms. Default 300000 (5 min). */
  maxDelayMs?: number;
}

/** What to do with a message whose handler threw: retry after `retryInMs`, or dead-letter with `reason`. */
export type QueueRetryDecision = { retryInMs: number } | { deadLetter: string };

/** Decides retry or dead letter for a failed job. See {@link defaultRetryPolicy}. */
export type QueueRetryPolicy = (job: QueueJob, error: unknown) => QueueRetryDecision;

/** Options of a {@link QueueConsumer}; only the handler is required elsewhere, every option has a default. */
export interface QueueConsumerOptions extends QueueOptions {
  /** Whose queue to consume. Default: this instance's service. */
  service?: string;
  /** Messages handled at once. Default 1. */
  concurrency?: number;
  /** Deliveries before a failing message goes to incomplete. Default 3. */
  maxAttempts?: number;
  /**
   * Deliveries of any kind (handler failures, and redeliveries after a worker crashed or stalled)
   * after which a message goes to incomplete without running the handler again: a message that kills
   * its worker every time would otherwise be redelivered for ever. Default 10.
   */
  maxDeliveries?: number;
  /** Delay between attempts. Default exponential from 1 s, factor 2, at most 5 min. */
  backoff?: QueueBackoffOptions;
  /** Decides retry or dead letter; overrides `maxAttempts` and `backoff`. */
  retryPolicy?: QueueRetryPolicy;
  /**
   * How long a taken message stays this worker's without a renewal, ms. Renewed every third of it while
   * the handler runs; when a worker dies its messages are delivered again about one lease later.
   * Default 30000.
   */
  leaseMs?: number;
  /** How often expired leases are looked for, ms. Default `leaseMs / 2`. */
  reclaimIntervalMs?: number;
  /** Longest pause between checks for due delayed messages, ms. Default 1000. */
  promoteIntervalMs?: number;
  /**
   * Also take back in-progress messages that have no lease (taken by Hydra 1.x workers, which never
   * recover them) once they have stayed there `afterMs`. Off by default: they are Hydra's.
   */
  reclaimUnleased?: { afterMs: number };
  /** On `stop()`, how long in-flight handlers may take before their messages go back to received, ms. Default 10000. */
  shutdownTimeoutMs?: number;
  /** How long one blocking wait for new messages lasts before it is renewed, ms. Default 5000. */
  blockTimeoutMs?: number;
}

/** {@link QueueConsumerOptions} with every default applied. */
export interface ResolvedConsumerOptions {
  service: string;
  concurrency: number;
  retryPolicy: QueueRetryPolicy;
  leaseMs: number;
  reclaimIntervalMs: number;
  promoteIntervalMs: number;
  reclaimUnleased: { afterMs: number } | undefined;
  shutdownTimeoutMs: number;
  blockTimeoutMs: number;
  maxDeliveries: number;
  maxMessageBytes: number;
}

/** Delay before the retry that follows delivery `attempt` (1-based). */
export function backoffDelay(attempt: number, backoff: QueueBackoffOptions = {}): number {
  const base = backoff.delayMs ?? 1000;
  const factor = backoff.factor ?? 2;
  const max = backoff.maxDelayMs ?? 300_000;
  return Math.min(max, Math.round(base * factor ** Math.max(0, attempt - 1)));
}

/**
 * The retry policy of `maxAttempts` + `backoff`: retry with backoff until the job's attempt reaches
 * `maxAttempts`, then dead-letter with the error's message; an `UnrecoverableJobError` (checked by
 * the caller) dead-letters at once.
 *
 * @example
 * const policy = defaultRetryPolicy({ maxAttempts: 5, backoff: { delayMs: 200 } });
 */
export function defaultRetryPolicy(
  options: { maxAttempts?: number; backoff?: QueueBackoffOptions } = {},
): QueueRetryPolicy {
  const maxAttempts = options.maxAttempts ?? 3;
  return (job, error) =>
    job.attempt >= maxAttempts
      ? { deadLetter: `${errorText(error)} (after ${job.attempt} attempt${job.attempt === 1 ? '' : 's'})` }
      : { retryInMs: backoffDelay(job.attempt, options.backoff) };
}

/** The text of an error for `bdy.reason`. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** Applies defaults and checks ranges; errors name the option, the service and a valid value. */
export function resolveConsumerOptions(
  options: QueueConsumerOptions,
  ownService: string,
): ResolvedConsumerOptions {
  const service = (options.service ?? ownService).toLowerCase();
  const leaseMs = options.leaseMs ?? 30_000;
  const resolved: ResolvedConsumerOptions = {
    service,
    concurrency: options.concurrency ?? 1,
    retryPolicy: options.retryPolicy ?? defaultRetryPolicy(options),
    leaseMs,
    reclaimIntervalMs: options.reclaimIntervalMs ?? Math.max(50, Math.floor(leaseMs / 2)),
    promoteIntervalMs: options.promoteIntervalMs ?? 1000,
    reclaimUnleased: options.reclaimUnleased,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
    blockTimeoutMs: options.blockTimeoutMs ?? 5000,
    maxDeliveries: options.maxDeliveries ?? 10,
    maxMessageBytes: messageSizeLimit(options.maxMessageBytes, 'queue.maxMessageBytes'),
  };
  const positive: Array<[string, number]> = [
    ['concurrency', resolved.concurrency],
    ['leaseMs', resolved.leaseMs],
    ['reclaimIntervalMs', resolved.reclaimIntervalMs],
    ['promoteIntervalMs', resolved.promoteIntervalMs],
    ['blockTimeoutMs', resolved.blockTimeoutMs],
    ['maxDeliveries', resolved.maxDeliveries],
  ];
  if (options.maxAttempts !== undefined) positive.push(['maxAttempts', options.maxAttempts]);
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new HydraConfigError(
        `queue consumer of ${service}: ${name} must be a positive number, got ${value}`,
      );
    }
  }
  if (!Number.isInteger(resolved.concurrency)) {
    throw new HydraConfigError(
      `queue consumer of ${service}: concurrency must be a whole number, got ${resolved.concurrency}`,
    );
  }
  if (resolved.leaseMs < 100) {
    throw new HydraConfigError(
      `queue consumer of ${service}: leaseMs ${resolved.leaseMs} is too short; use at least 100`,
    );
  }
  return resolved;
}
