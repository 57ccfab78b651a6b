import {
  assertValidMessage,
  createMessage,
  createReply,
  parseMessage,
  parseRoute,
  serializeMessage,
  validateMessage,
  type UmfInput,
  type UmfMessage,
  type UmfRoute,
} from '@hydra-nest/umf';
import type { Hydra } from '../hydra.js';
import type { InstanceInfo } from '../discovery.js';
import type { LoadBalancing } from '../instance-cache.js';
import { isErrorReply } from './error-replies.js';
import { makeApiRequest, type ApiRequestOptions, type ApiResponse } from './http-request.js';
import {
  HydraTimeoutError,
  MessagingConnectionError,
  RemoteError,
  ServiceUnavailableError,
} from './messaging-errors.js';
import { PendingRequests, type PendingRequest } from './pending-requests.js';
import { WriteCoalescer } from './write-coalescer.js';

/** Messaging defaults; each can be overridden per call. */
export interface MessagingOptions {
  /** How a target instance is chosen among those present. Default round-robin. */
  loadBalancing?: LoadBalancing;
  /** Deadline of a request, ms. Default 5000. */
  timeoutMs?: number;
  /** Extra attempts on another instance when the chosen one is gone or none is present. Default 2. */
  retries?: number;
}

/** Per-request options. */
export interface RequestOptions {
  timeoutMs?: number;
  retries?: number;
}

/** Called for every incoming message that is not the reply to one of our requests. */
export type IncomingHandler = (message: UmfMessage, broadcast: boolean) => void;

/** Counters of what the messenger saw; useful in health checks and tests. */
export interface MessagingStats {
  received: number;
  replies: number;
  malformed: number;
  sent: number;
  timeouts: number;
  retries: number;
}

const RETRY_PAUSE_MS = 100;
/** Messages kept while no handler is installed yet (between registration and the transport's listen). */
const EARLY_MESSAGES_KEPT = 1000;

/**
 * Hydra's messaging verbs over Redis pub/sub, plus request-reply: UMF messages to one instance (chosen
 * from the in-memory instance cache, no Redis round trip), to all instances, and replies correlated on
 * `rmid`. Wire-compatible with Hydra 1.x `sendMessage` / `sendReplyMessage` / `sendBroadcastMessage`.
 *
 * @example
 * const reply = await hydra.messaging.request({ to: 'users-svc:[get]/v1/users/7', bdy: {} });
 */
export class Messenger {
  readonly stats: MessagingStats = {
    received: 0,
    replies: 0,
    malformed: 0,
    sent: 0,
    timeouts: 0,
    retries: 0,
  };
  private readonly pending = new PendingRequests((p) => this.expire(p));
  private handler: IncomingHandler | undefined;
  private early: Array<[UmfMessage, boolean]> | undefined = [];
  private lastMalformedLog = 0;
  private readonly serviceChannel: string;
  private readonly replyFrom: string;
  private readonly writes: WriteCoalescer;

  constructor(
    private readonly hydra: Hydra,
    private readonly options: MessagingOptions = {},
  ) {
    this.serviceChannel = hydra.keys.serviceChannel(hydra.serviceName);
    this.replyFrom = `${hydra.instanceId}@${hydra.serviceName}`;
    this.writes = new WriteCoalescer(hydra.redis);
    hydra.on('message', (payload: string, channel: string) => this.receive(payload, channel));
    hydra.instances.on('change', (service: string, instances: InstanceInfo[]) =>
      this.onInstancesChanged(service, instances),
    );
    hydra.subscriber.on('close', () => {
      if (this.pending.size > 0) {
        this.abortAll(
          'the Redis connection was lost before the reply arrived; the request may or may not have been handled',
        );
      }
    });
  }

  /** Installs the receiver of incoming requests, events and broadcasts (the transport). */
  setHandler(handler: IncomingHandler | undefined): void {
    this.handler = handler;
    // The instance is discoverable before the transport listens: hand over what arrived meanwhile.
    const early = this.early;
    this.early = undefined;
    if (handler) for (const [message, broadcast] of early ?? []) handler(message, broadcast);
  }

  /** Sends a message to one instance (named with `instance@service:`, else load-balanced). Resolves the sent message. */
  async sendMessage(input: UmfInput): Promise<UmfMessage> {
    const message = this.outgoing(input);
    assertValidMessage(message);
    const route = parseRoute(message.to);
    const target = route.instance ?? (await this.choose(route.service))?.instanceID;
    if (!target) throw new ServiceUnavailableError(route.service, `Unavailable ${route.service} instances`);
    await this.publishTo(route.service, target, message);
    return message;
  }

  /** Sends a message to every instance of the service in `to`. Throws when none is listening. */
  async sendBroadcastMessage(input: UmfInput): Promise<UmfMessage> {
    const message = this.outgoing(input);
    assertValidMessage(message);
    const { service } = parseRoute(message.to);
    const receivers = await this.hydra.redis.publish(
      this.hydra.keys.serviceChannel(service),
      serializeMessage(message),
    );
    this.stats.sent++;
    if (receivers === 0) throw new ServiceUnavailableError(service, `Unavailable ${service} instances`);
    return message;
  }

  /** Replies to `original` (to its `via`, else its `frm`), Hydra's `sendReplyMessage`. */
  async sendReplyMessage(original: UmfMessage, response: UmfInput): Promise<UmfMessage> {
    const reply = createReply(original, response);
    const route = parseRoute(reply.to);
    // The sender named its instance in `frm`: answer it directly, without consulting presence.
    if (route.instance) await this.publishTo(route.service, route.instance, reply);
    else await this.sendMessage(reply);
    return reply;
  }

  /**
   * Sends a request and resolves its reply. Rejects with {@link RemoteError} when the handler failed,
   * {@link HydraTimeoutError} after the deadline, {@link ServiceUnavailableError} when no instance is
   * there. Retries on another instance only when none was present or the chosen one vanished.
   */
  request(input: UmfInput, options: RequestOptions = {}): Promise<UmfMessage> {
    let message: UmfMessage;
    let route: UmfRoute;
    try {
      message = createMessage(input);
      message.frm = this.replyAddress(message.frm);
      assertValidMessage(message);
      route = parseRoute(message.to);
    } catch (error) {
      return Promise.reject(error);
    }
    const retries = route.instance ? 0 : (options.retries ?? this.options.retries ?? 2);
    return new Promise<UmfMessage>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 5000;
      const pending: PendingRequest = {
        message,
        route,
        timeoutMs,
        deadline: Date.now() + timeoutMs,
        tried: [],
        attempts: 0,
        maxAttempts: retries + 1,
        resolve,
        reject,
      };
      this.pending.add(pending);
      this.dispatch(pending);
    });
  }

  /** An HTTP call to a discovered instance for `to` = `service:[method]/path` (Hydra's `makeAPIRequest`). */
  makeAPIRequest(input: UmfInput, options: ApiRequestOptions = {}): Promise<ApiResponse> {
    return makeApiRequest(this.hydra, input, options);
  }

  /** Rejects every request in flight (the instance is stopping). */
  close(): void {
    this.handler = undefined;
    this.abortAll(`${this.hydra.serviceName} is stopping`);
  }

  /** A new message; `frm` defaults to this service, since Hydra peers require a sender. */
  private outgoing(input: UmfInput): UmfMessage {
    const message = createMessage(input);
    if (!message.frm) message.frm = `${this.hydra.serviceName}:/`;
    return message;
  }

  private replyAddress(frm: string | undefined): string {
    if (!frm) return `${this.replyFrom}:/`;
    const route = parseRoute(frm);
    if (route.instance) return frm;
    const colon = frm.indexOf(':');
    return `${this.replyFrom}${frm.slice(colon)}`;
  }

  private async choose(service: string, exclude?: Set<string>): Promise<InstanceInfo | undefined> {
    const cache = this.hydra.instances;
    if (!cache.isWatched(service)) await cache.watch(service);
    return cache.pick(service, this.options.loadBalancing, exclude);
  }

  /** Chooses a target from memory and publishes; synchronous on the hot path. */
  private dispatch(pending: PendingRequest): void {
    const { route, message } = pending;
    if (!this.pending.has(message.mid)) return; // settled while a retry was scheduled
    const cache = this.hydra.instances;
    if (!route.instance && !cache.isWatched(route.service)) {
      cache.watch(route.service).then(
        () => this.dispatch(pending),
        (error: Error) => this.failToSend(pending, error),
      );
      return;
    }
    pending.attempts++;
    const exclude = pending.tried.length > 0 ? new Set(pending.tried) : undefined;
    const target =
      route.instance ?? cache.pick(route.service, this.options.loadBalancing, exclude)?.instanceID;
    if (!target) {
      if (pending.attempts < pending.maxAttempts) {
        this.stats.retries++;
        // Look in Redis again before the next attempt: an instance may just have arrived.
        const retry = () => void cache.refreshAll().finally(() => this.dispatch(pending));
        setTimeout(retry, RETRY_PAUSE_MS).unref();
      } else {
        this.pending
          .take(message.mid)
          ?.reject(new ServiceUnavailableError(route.service, `Unavailable ${route.service} instances`));
      }
      return;
    }
    pending.tried.push(target);
    this.publishTo(route.service, target, message).catch((error: Error) => this.failToSend(pending, error));
  }

  private failToSend(pending: PendingRequest, error: Error): void {
    this.pending.take(pending.message.mid)?.reject(
      new MessagingConnectionError(`could not send to ${pending.route.service}: ${error.message}`, {
        cause: error,
      }),
    );
  }

  private onInstancesChanged(service: string, instances: InstanceInfo[]): void {
    if (this.pending.size === 0) return;
    const present = new Set(instances.map((i) => i.instanceID));
    for (const pending of this.pending.orphansOf(service, present)) {
      const gone = pending.tried[pending.tried.length - 1];
      if (pending.route.instance || pending.attempts >= pending.maxAttempts) {
        this.pending
          .take(pending.message.mid)
          ?.reject(
            new ServiceUnavailableError(
              service,
              `instance ${gone} of ${service} went away before it answered`,
            ),
          );
      } else {
        this.stats.retries++;
        this.dispatch(pending);
      }
    }
  }

  private expire(pending: PendingRequest): void {
    this.stats.timeouts++;
    pending.reject(
      new HydraTimeoutError(pending.route.service, pending.message.to, pending.attempts, pending.timeoutMs),
    );
  }

  private abortAll(reason: string): void {
    this.pending.rejectAll(
      (p) =>
        new MessagingConnectionError(`request to ${p.route.service} ("${p.message.to}") aborted: ${reason}`),
    );
  }

  private async publishTo(service: string, instanceId: string, message: UmfMessage): Promise<void> {
    this.writes.hold();
    await this.hydra.redis.publish(
      this.hydra.keys.instanceChannel(service, instanceId),
      serializeMessage(message),
    );
    this.stats.sent++;
  }

  private receive(payload: string, channel: string): void {
    let message: UmfMessage;
    try {
      message = parseMessage(payload, { validate: false });
    } catch (error) {
      return this.malformed(payload, (error as Error).message);
    }
    this.stats.received++;
    if (message.rmid !== undefined) {
      const pending = this.pending.take(message.rmid);
      if (pending) {
        this.stats.replies++;
        if (isErrorReply(message)) {
          const { statusCode, error } = message.bdy;
          pending.reject(
            new RemoteError(pending.route.service, statusCode, error.name, error.message, error.details),
          );
        } else {
          pending.resolve(message);
        }
        return;
      }
    }
    const issues = validateMessage(message);
    if (issues.length > 0)
      return this.malformed(payload, issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    const broadcast = channel === this.serviceChannel;
    if (this.handler) this.handler(message, broadcast);
    else if (this.early && this.early.length < EARLY_MESSAGES_KEPT) this.early.push([message, broadcast]);
  }

  private malformed(payload: string, reason: string): void {
    this.stats.malformed++;
    const now = Date.now();
    if (now - this.lastMalformedLog < 1000) return;
    this.lastMalformedLog = now;
    this.hydra.logger.warn(
      `dropped a malformed message for ${this.hydra.serviceName} (${reason}): ${payload.slice(0, 80)}` +
        ` [${this.stats.malformed} dropped so far]`,
    );
  }
}
