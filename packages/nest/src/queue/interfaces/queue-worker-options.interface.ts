import type { QueueBackoffOptions } from '@hydra-nest/core';

/**
 * Options of {@link QueueWorker}. Every option has a default that works on a laptop.
 *
 * Several workers may consume one service's queue: each message goes to the worker whose `typ` equals
 * the message's `typ`, else to the worker without `typ`. The service's consumer runs the SUM of their
 * concurrencies, the LONGEST of their leases and shutdown timeouts.
 */
export interface QueueWorkerOptions {
  /** Handle only messages with this `typ`. Default: every message no other worker claims. */
  typ?: string;
  /** Whose queue to consume. Default: this application's service (`HydraModule` `serviceName`). */
  service?: string;
  /** Messages this handler runs at once. Default 1. */
  concurrency?: number;
  /** Deliveries before a failing message goes to `mqincomplete`. Default 3. */
  maxAttempts?: number;
  /**
   * Deliveries of any kind, redeliveries after a crash included, after which a message goes to
   * `mqincomplete` without running again (a message that kills its worker every time). Default 10;
   * the service's consumer uses the largest of its workers' values.
   */
  maxDeliveries?: number;
  /** Delay between attempts. Default exponential from 1 s, factor 2, at most 5 min. */
  backoff?: QueueBackoffOptions;
  /**
   * How long a message stays this worker's without renewal, ms (renewed while the handler runs). After a
   * crash, messages are delivered again about one lease later. Default 30000.
   */
  leaseMs?: number;
  /** Also recover messages Hydra 1.x workers took and left in progress longer than `afterMs`. Default off. */
  reclaimUnleased?: { afterMs: number };
  /** On shutdown, how long running handlers may finish before their messages go back to received, ms. Default 10000. */
  shutdownTimeoutMs?: number;
}
