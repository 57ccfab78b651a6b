import {
  createMessage,
  parseRoute,
  serializeMessage,
  validateMessage,
  type UmfInput,
  type UmfMessage,
} from '@hydra-nest/umf';
import { ReplyError } from 'ioredis';
import type { HydraContext } from '../context.js';
import { messageSizeLimit, messageTooLarge } from '../messaging/message-size.js';
import { execOrThrow } from '../pipeline.js';
import { explainRefusal, explainRefusals } from '../redis-permission.js';
import { QueueAdmin } from './queue-admin.js';
import { QueueConnectionError, QueueMessageError } from './queue-errors.js';
import { errorText, type QueueOptions } from './queue-options.js';
import { delayScript } from './queue-scripts.js';
import { activeTracer } from '../tracing/active-tracer.js';
import { endWhenSettled, startSendSpan } from '../tracing/message-spans.js';

/** When a queued message may be delivered. Give one of the two; without either it is delivered at once. */
export interface QueueMessageOptions {
  /** Deliver not before this many ms from now (Redis's clock). */
  delayMs?: number;
  /** Deliver not before this time (a `Date` or ms since the epoch, this machine's clock). */
  notBefore?: Date | number;
}

/**
 * A service's work queue with Hydra 1.x's verbs and lists, plus delayed messages and the operator verbs
 * of {@link QueueAdmin}. What it writes, Hydra's `getQueuedMessage` reads; what Hydra's `queueMessage`
 * writes, it reads. Leased, crash-safe consumption is `QueueConsumer`'s job.
 *
 * Delayed messages wait in a hydra-nest sorted set until a hydra-nest consumer (any instance running
 * a `QueueConsumer` for that service) moves them to received: a service consumed only by Hydra 1.x
 * workers never sees them.
 *
 * @example
 * const queue = new WorkQueue(hydra); // or new WorkQueue(hydra, { maxMessageBytes: 1024 * 1024 })
 * await queue.queueMessage({ to: 'images-svc:/resize', frm: 'web:/', bdy: { url } });
 * await queue.queueMessage({ to: 'mail-svc:/', frm: 'web:/', bdy: { to } }, { delayMs: 60_000 });
 */
export class WorkQueue extends QueueAdmin {
  private readonly rawOf = new WeakMap<object, string>();
  private readonly maxMessageBytes: number;

  constructor(ctx: HydraContext, options: QueueOptions = {}) {
    super(ctx);
    this.maxMessageBytes = messageSizeLimit(options.maxMessageBytes, 'queue.maxMessageBytes');
  }

  /**
   * Queues a message for the service named in its `to` (`LPUSH hydra:service:S:mqrecieved`), byte for
   * byte as Hydra 1.x does, or in the delayed set when `options` delay it. Resolves the message as
   * queued (with its generated `mid`, `ts`, `ver`).
   *
   * @throws {@link QueueMessageError} when `to`, `frm` or `bdy` is missing or invalid, or the delay is.
   * @throws {@link QueueConnectionError} when Redis cannot be reached (the message may have been queued
   *   if the connection dropped on the way; see the error).
   * @throws `MessageTooLargeError` (413) when its JSON text is over `maxMessageBytes` (nothing is queued).
   */
  async queueMessage(input: UmfInput | UmfMessage, options: QueueMessageOptions = {}): Promise<UmfMessage> {
    const message = createMessage(input as UmfInput);
    const issues = validateMessage(message);
    if (issues.length > 0) {
      throw new QueueMessageError(
        `cannot queue message${message.to ? ` for ${message.to}` : ''}: ` +
          `${issues.map((i) => i.message).join('; ')}. Queued messages need "to", "frm" and a non-empty "bdy"`,
      );
    }
    const service = parseRoute(message.to).service;
    const tracer = activeTracer();
    if (tracer === undefined) return this.store(message, service, options);
    // The job's handler, wherever it runs, joins the trace through the context written into `hdr`.
    const span = startSendSpan(tracer, message, service, 'queue');
    return endWhenSettled(span, this.store(message, service, options));
  }

  /** Writes a valid message to the queue of `service`. */
  private async store(
    message: UmfMessage,
    service: string,
    options: QueueMessageOptions,
  ): Promise<UmfMessage> {
    const raw = serializeMessage(message);
    const tooLarge = messageTooLarge(raw, this.maxMessageBytes, message.to, 'queue.maxMessageBytes');
    if (tooLarge) throw tooLarge;
    const dueAt = this.dueTime(service, options);
    const { redis, keys } = this.ctx;
    try {
      if (dueAt === undefined) await redis.lpush(keys.queueReceived(service), raw);
      else if (dueAt.kind === 'in')
        await delayScript.run(redis, [keys.queueDelayed(service)], [dueAt.ms, raw]);
      else await redis.zadd(keys.queueDelayed(service), dueAt.ms, raw);
    } catch (error) {
      // Redis answered: a refused permission is named with what to grant, anything else said as is.
      if (error instanceof ReplyError) throw explainRefusal(error, this.ctx);
      throw new QueueConnectionError(
        `message ${message.mid} for ${service} was not queued: Redis did not answer (${errorText(error)}; ` +
          `connection ${redis.status}). Most likely it was not queued, but if the connection dropped on the ` +
          'way it may have been: retry once Redis is back, and keep handlers idempotent (job.mid)',
        { cause: error },
      );
    }
    return message;
  }

  /**
   * Hydra's `getQueuedMessage(service)`: moves the oldest message of `service` from received to
   * in-progress (`RPOPLPUSH`) WITHOUT a lease, and resolves it parsed, or `null` when there is none.
   * Nothing recovers such a message if the caller dies; prefer `QueueConsumer`. Mark it with
   * {@link markQueueMessage} (as the owning service).
   */
  async getQueuedMessage(service: string): Promise<UmfMessage | null> {
    const { redis, keys } = this.ctx;
    const raw = await explainRefusals(
      this.ctx,
      redis.rpoplpush(keys.queueReceived(service), keys.queueInProgress(service)),
    );
    if (raw === null) return null;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return null; // as Hydra: a non-JSON entry is moved but reads as nothing
    }
    if (message !== null && typeof message === 'object') this.rawOf.set(message, raw);
    return message as UmfMessage;
  }

  /**
   * Hydra's `markQueueMessage(message, completed, reason)`: removes the message from THIS service's
   * in-progress list (`LREM -1` of its exact string), sets `bdy.reason` to `reason` (default
   * `'reason not provided'`) and, when not completed, appends it to the incomplete list. Resolves the
   * message when completed, else the incomplete list's new length (as Hydra).
   *
   * The string removed is the one {@link getQueuedMessage} returned this object for, else
   * `JSON.stringify(message)` (Hydra's rule: a message changed before marking would not be found).
   */
  async markQueueMessage(
    message: UmfMessage,
    completed: boolean,
    reason?: string,
  ): Promise<UmfMessage | number> {
    const { redis, keys } = this.ctx;
    const service = this.ctx.identity.serviceName;
    const raw = this.rawOf.get(message) ?? JSON.stringify(message);
    this.rawOf.delete(message);
    await execOrThrow(
      redis
        .multi()
        .lrem(keys.queueInProgress(service), -1, raw)
        .zrem(keys.queueLeases(service), raw)
        .hdel(keys.queueDeliveries(service), raw),
      this.ctx,
    );
    const bdy = message.bdy as Record<string, unknown> | undefined;
    if (bdy !== null && typeof bdy === 'object') bdy.reason = reason || 'reason not provided';
    if (completed) return message;
    return explainRefusals(this.ctx, redis.rpush(keys.queueIncomplete(service), JSON.stringify(message)));
  }

  private dueTime(
    service: string,
    options: QueueMessageOptions,
  ): { kind: 'in' | 'at'; ms: number } | undefined {
    const { delayMs, notBefore } = options;
    if (delayMs !== undefined && notBefore !== undefined) {
      throw new QueueMessageError(`queue of ${service}: give delayMs or notBefore, not both`);
    }
    if (delayMs !== undefined) {
      if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
        throw new QueueMessageError(
          `queue of ${service}: delayMs must be a number of ms >= 0, got ${String(delayMs)}`,
        );
      }
      return delayMs > 0 ? { kind: 'in', ms: Math.round(delayMs) } : undefined;
    }
    if (notBefore !== undefined) {
      const at = notBefore instanceof Date ? notBefore.getTime() : notBefore;
      if (typeof at !== 'number' || !Number.isFinite(at)) {
        throw new QueueMessageError(
          `queue of ${service}: notBefore must be a Date or ms since the epoch, got ${String(notBefore)}`,
        );
      }
      return at > Date.now() ? { kind: 'at', ms: Math.round(at) } : undefined;
    }
    return undefined;
  }
}
