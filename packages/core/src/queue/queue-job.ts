import type { UmfMessage } from '@hydra-nest/umf';

/**
 * One delivery of a queued message to a handler.
 *
 * Delivery is AT LEAST ONCE: a message whose worker died, stalled past its lease or was stopped
 * mid-way is delivered again, so handlers should be idempotent. `attempt` and `firstDeliveredAt` tell
 * a redelivery apart (`attempt > 1`), and `mid` is the natural idempotency key.
 *
 * @example
 * async handle(job: QueueJob<{ url: string }>) {
 *   if (job.attempt > 1 && (await this.done.has(job.mid))) return;
 *   await this.resize(job.payload.url);
 * }
 */
export class QueueJob<T = unknown> {
  constructor(
    /** The service whose queue it came from. */
    readonly service: string,
    /** The message as stored (short form, parsed as is). Do not modify it. */
    readonly message: UmfMessage,
    /** The exact string taken from the list. */
    readonly raw: string,
    /** Delivery number of this message, 1 for the first (retries and redeliveries after a crash count). */
    readonly attempt: number,
    /** When the message was first delivered to any worker. */
    readonly firstDeliveredAt: Date,
  ) {}

  /** The message body (`bdy`). */
  get payload(): T {
    return this.message.bdy as T;
  }

  /** The message id (`mid`). */
  get mid(): string {
    return this.message.mid;
  }

  /** The message type (`typ`), used to pick a handler when a service has several. */
  get typ(): string | undefined {
    return this.message.typ;
  }

  /** Whether an earlier delivery of this message did not complete (retry or crash recovery). */
  get isRedelivery(): boolean {
    return this.attempt > 1;
  }
}
