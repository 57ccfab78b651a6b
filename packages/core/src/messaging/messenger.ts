import { randomUUID } from 'node:crypto';
import {
  assertValidMessage,
  createMessage,
  createReply,
  isoNow,
  parseRoute,
  serializeMessage,
  UMF_VERSION,
  type UmfInput,
  type UmfMessage,
  type UmfRoute,
} from '@hydra-nest/umf';
import type { Hydra } from '../hydra.js';
import type { InstanceInfo } from '../discovery.js';
import type { LoadBalancing } from '../instance-cache.js';
import { errorBody, ERROR_REPLY_TYPE } from './error-replies.js';
import { makeApiRequest, type ApiRequestOptions, type ApiResponse } from './http-request.js';
import { IncomingMessages, type IncomingHandler, type MessagingStats } from './incoming-messages.js';
import { messageSizeLimit, messageTooLarge } from './message-size.js';
import { ServiceUnavailableError } from './messaging-errors.js';
import { RequestDispatcher } from './request-dispatcher.js';
import { InstanceChannels } from './instance-channels.js';
import { RouteCache } from './route-cache.js';
import { WriteCoalescer } from './write-coalescer.js';

/** Messaging defaults of a Hydra instance (`HydraOptions.messaging`); each can be overridden per call. */
export interface MessagingOptions {
  /** How a target instance is chosen among those present. Default `'round-robin'`. */
  loadBalancing?: LoadBalancing;
  /** Deadline of a request, ms. Default 5000. */
  timeoutMs?: number;
  /** Extra attempts on another instance when none is present or the chosen one is gone. Default 2. */
  retries?: number;
  /**
   * Largest message sent, in bytes of its JSON text; a larger one is refused with
   * `MessageTooLargeError` before anything is published (the Nest transport answers a handler's result
   * that large with a 413 error reply instead). Default 8 MiB (`DEFAULT_MAX_MESSAGE_BYTES`);
   * `Infinity` for no limit.
   */
  maxMessageBytes?: number;
}

/** Per-request options of {@link Messenger.request}. */
export interface RequestOptions {
  /** Deadline, ms, from the call to the reply (all attempts together). */
  timeoutMs?: number;
  /** Extra attempts on another instance, only when that is safe (nobody received the request). */
  retries?: number;
}

/**
 * Hydra's messaging verbs over Redis pub/sub, plus request-reply: UMF messages to one instance (chosen
 * from the in-memory instance cache, no Redis round trip), to all instances, and replies correlated on
 * `rmid`. Wire-compatible with Hydra 1.x `sendMessage` / `sendReplyMessage` / `sendBroadcastMessage`.
 *
 * Every Hydra instance has one, as `hydra.messaging`. The only Redis command on the send path is the
 * PUBLISH; its receiver count tells, for free, that an instance is gone (nobody listens on its channel),
 * so such a message is sent to another instance at once instead of waiting for a timeout.
 *
 * @example
 * const reply = await hydra.messaging.request({ to: 'users-svc:[get]/v1/users/7', bdy: {} });
 * await hydra.messaging.sendBroadcastMessage({ to: 'cache-svc:/', bdy: { flush: true } });
 */
export class Messenger {
  /** What this instance received and sent; see {@link MessagingStats}. */
  readonly stats: MessagingStats = {
    received: 0,
    replies: 0,
    unmatchedReplies: 0,
    malformed: 0,
    sent: 0,
    timeouts: 0,
    retries: 0,
    refused: 0,
  };
  private readonly requests: RequestDispatcher;
  private readonly incoming: IncomingMessages;
  private readonly routes = new RouteCache();
  private readonly channels: InstanceChannels;
  private readonly replyFrom: string;
  private readonly writes: WriteCoalescer;
  private readonly maxMessageBytes: number;
  /** Whether a PUBLISH receiver count of 0 means "nobody listens" (not so on Redis Cluster). */
  private readonly trustReceivers: boolean;

  constructor(
    private readonly hydra: Hydra,
    private readonly options: MessagingOptions = {},
  ) {
    this.maxMessageBytes = messageSizeLimit(options.maxMessageBytes);
    this.replyFrom = `${hydra.instanceId}@${hydra.serviceName}`;
    this.writes = new WriteCoalescer(hydra.redis);
    this.channels = new InstanceChannels(hydra.keys);
    this.trustReceivers = !hydra.keys.clusterHashTags;
    this.requests = new RequestDispatcher(
      hydra,
      options,
      this.stats,
      // The text is made at each attempt (a text kept until the reply would outlive young-generation
      // collections: ~20% fewer 4 KiB requests/s at concurrency 256, measured).
      (service, instanceId, message) => this.publishTo(service, instanceId, message),
      this.trustReceivers,
    );
    this.incoming = new IncomingMessages(
      hydra.keys.serviceChannel(hydra.serviceName),
      `${hydra.serviceName} (${hydra.instanceId})`,
      hydra.logger,
      this.stats,
      (reply) => this.requests.settle(reply),
      (request, reason) => this.refuse(request, reason),
    );
    hydra.instances.on('change', (service: string, instances: InstanceInfo[]) =>
      this.requests.onInstancesChanged(service, instances),
    );
    hydra.subscriber.on('close', () => {
      const reason =
        'the Redis connection was lost before the reply arrived; the request may or may not have been handled';
      // While running, the instance subscribes again (then calls onSubscribed); until then, hold requests.
      if (hydra.state === 'running') this.requests.pause(reason);
      else if (this.requests.size > 0) this.requests.abortAll(reason);
    });
  }

  /**
   * Installs the receiver of incoming requests, events and broadcasts (normally the Nest transport).
   * Messages that arrived before it (the instance is discoverable before the transport listens) are
   * handed over at once. Replies to our own requests never reach it.
   */
  setHandler(handler: IncomingHandler | undefined): void {
    this.incoming.setHandler(handler);
  }

  /**
   * Sends a message to one instance: the one named with `instance@service:...`, else one chosen by load
   * balancing among those present. Resolves the message as sent (with its `mid`) once published.
   *
   * @throws {@link ServiceUnavailableError} when no instance of the service (or not the named one) listens.
   * @throws `MessageTooLargeError` when its JSON text is over `maxMessageBytes` (nothing is sent).
   */
  sendMessage(input: UmfInput): Promise<UmfMessage> {
    try {
      return this.send(this.outgoing(createMessage(input)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends a message to every instance of the service in `to` (its service channel). An instance prefix
   * in `to` is ignored, as in Hydra.
   *
   * @throws {@link ServiceUnavailableError} when no instance of the service listens.
   * @throws `MessageTooLargeError` when its JSON text is over `maxMessageBytes` (nothing is sent).
   */
  async sendBroadcastMessage(input: UmfInput): Promise<UmfMessage> {
    const message = this.outgoing(createMessage(input));
    const { service } = parseRoute(message.to);
    const receivers = await this.publishOn(this.hydra.keys.serviceChannel(service), message);
    if (receivers === 0 && this.trustReceivers) {
      throw new ServiceUnavailableError(service, `Unavailable ${service} instances`);
    }
    return message;
  }

  /**
   * Replies to `original` with Hydra's `sendReplyMessage` semantics: `rmid` = its `mid`, sent to its
   * `via` when set, else to its `frm`. A sender that named its instance in `frm` is answered directly.
   *
   * @throws {@link ServiceUnavailableError} when the sender is no longer there.
   * @throws `MessageTooLargeError` when its JSON text is over `maxMessageBytes` (nothing is sent).
   */
  sendReplyMessage(original: UmfMessage, response: UmfInput): Promise<UmfMessage> {
    try {
      return this.send(this.outgoing(createReply(original, response)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Replies to a received (hence already validated) message with `bdy`, and `typ` when given: the very
   * message `sendReplyMessage(original, { bdy, typ })` sends, Hydra's semantics included (inherited
   * `hdr`, `aut`, `via`, `fwd`...), built in one step without validating again. A falsy `bdy` keeps the
   * original's body, as in Hydra; send `{}` instead. The transport's fast path.
   *
   * @throws {@link ServiceUnavailableError} when the sender is no longer there.
   * @throws `MessageTooLargeError` when its JSON text is over `maxMessageBytes` (nothing is sent).
   */
  reply(original: UmfMessage, bdy: unknown, typ?: string): Promise<UmfMessage> {
    const reply: UmfMessage = {
      to: original.via || original.frm,
      frm: original.to,
      hdr: original.hdr || undefined,
      mid: randomUUID(),
      rmid: original.mid,
      sig: original.sig || undefined,
      tmo: original.tmo || undefined,
      ts: isoNow(),
      typ: typ || original.typ || undefined,
      ver: UMF_VERSION,
      via: original.via || undefined,
      fwd: original.fwd || undefined,
      bdy: bdy || original.bdy,
      aut: original.aut || undefined,
    };
    try {
      return this.send(reply, serializeMessage(reply));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends a request and resolves its reply. `frm` is set to this instance (`<id>@<service>:/`) so the
   * reply comes back to it. Rejects with `RemoteError` when the remote handler failed,
   * `HydraTimeoutError` after the deadline, {@link ServiceUnavailableError} when no instance is
   * there, `MessagingConnectionError` when Redis went away or this instance stopped meanwhile,
   * `MessageTooLargeError` (nothing sent) when the request is over `maxMessageBytes`.
   * Retries on another instance only when none was present or the chosen one vanished before answering.
   *
   * @example
   * const { bdy } = await hydra.messaging.request({ to: 'img-svc:[post]/v1/resize', bdy: { w: 64 } }, { timeoutMs: 2000 });
   */
  request(input: UmfInput, options: RequestOptions = {}): Promise<UmfMessage> {
    let message: UmfMessage;
    let route: UmfRoute;
    try {
      // The reply address goes in before the message is built: one message object, never copied after.
      const given = input?.from || input?.frm;
      const frm = this.replyAddress(given);
      message = createMessage(frm === given ? input : { ...input, from: frm });
      assertValidMessage(message);
      route = this.routes.parse(message.to);
    } catch (error) {
      return Promise.reject(error);
    }
    const retries = options.retries ?? this.options.retries ?? 2;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 5000;
    return this.requests.start(message, route, timeoutMs, retries);
  }

  /**
   * An HTTP call to a discovered instance for `to` = `service:[method]/path`, Hydra's `makeAPIRequest`:
   * never rejects for service errors, tries the other instances when one cannot be reached, resolves a
   * 503 object when none answered and a 400 object for a bad `to`.
   */
  makeAPIRequest(input: UmfInput, options: ApiRequestOptions = {}): Promise<ApiResponse> {
    const message = createMessage(input);
    if (!message.frm) message.frm = `${this.hydra.serviceName}:/`;
    return makeApiRequest(this.hydra, message, { loadBalancing: this.options.loadBalancing, ...options });
  }

  /**
   * Takes a raw payload that arrived on this instance's service or instance channel (its Hydra instance
   * calls this). Replies settle their requests; everything else goes to the handler.
   *
   * @internal
   */
  receive(payload: string, channel: string): void {
    this.incoming.receive(payload, channel);
  }

  /**
   * Its Hydra instance calls this once the subscriber listens again after a loss: requests held
   * meanwhile are sent.
   *
   * @internal
   */
  onSubscribed(): void {
    this.requests.resume();
  }

  /** Number of requests waiting for their reply. */
  get inFlight(): number {
    return this.requests.size;
  }

  /** Rejects every request in flight and detaches the handler (the instance is stopping). */
  close(): void {
    this.incoming.setHandler(undefined);
    this.requests.abortAll(`${this.hydra.serviceName} is stopping`);
  }

  /**
   * Publishes a complete message to one instance (see {@link sendMessage}); `payload` is its text when
   * the caller already has it. Throws synchronously for a malformed `to`.
   */
  private send(message: UmfMessage, payload?: string): Promise<UmfMessage> {
    const route = this.routes.parse(message.to);
    if (!route.instance) return this.sendToAnyInstance(route, message, payload);
    // Not async: a reply (always to a named instance) is on every request's path.
    return this.publishTo(route.service, route.instance, message, payload).then((receivers) => {
      if (receivers === 0 && this.trustReceivers) {
        throw new ServiceUnavailableError(
          route.service,
          `Unavailable ${route.service} instance named ${route.instance}`,
        );
      }
      return message;
    });
  }

  /** Publishes to one instance chosen by load balancing, and to another when nobody listened there. */
  private async sendToAnyInstance(
    route: UmfRoute,
    message: UmfMessage,
    payload?: string,
  ): Promise<UmfMessage> {
    const cache = this.hydra.instances;
    if (!cache.isWatched(route.service)) await cache.watch(route.service);
    let tried: Set<string> | undefined;
    for (;;) {
      const target = cache.pick(route.service, this.options.loadBalancing, tried);
      if (!target) throw new ServiceUnavailableError(route.service, `Unavailable ${route.service} instances`);
      const receivers = await this.publishTo(route.service, target.instanceID, message, payload);
      if (receivers > 0 || !this.trustReceivers) return message;
      (tried ??= new Set()).add(target.instanceID); // nobody listens there: nobody got it, another may
    }
  }

  /** Tells the sender of a request no handler will take, so that it does not wait for its deadline. */
  private refuse(request: UmfMessage, reason: string): void {
    const body = errorBody(503, 'ServiceUnavailable', reason);
    this.reply(request, body, ERROR_REPLY_TYPE).catch(() => undefined); // the sender may be gone
  }

  /** Checks a message before it leaves; `frm` defaults to this service, since Hydra peers require a sender. */
  private outgoing(message: UmfMessage): UmfMessage {
    if (!message.frm) message.frm = `${this.hydra.serviceName}:/`;
    assertValidMessage(message);
    return message;
  }

  private replyAddress(frm: string | undefined): string {
    if (!frm) return `${this.replyFrom}:/`;
    const colon = frm.indexOf(':');
    const at = frm.indexOf('@');
    if (at >= 0 && at < colon) return frm; // already names an instance
    return `${this.replyFrom}${colon >= 0 ? frm.slice(colon) : ':/'}`;
  }

  /** Publishes on one instance's channel; `payload` is the message's text when the caller has it. */
  private publishTo(
    service: string,
    instanceId: string,
    message: UmfMessage,
    payload?: string,
  ): Promise<number> {
    return this.publishOn(this.channels.of(service, instanceId), message, payload);
  }

  /**
   * The one PUBLISH of every message sent: refuses one over `maxMessageBytes`, counts it, and coalesces
   * the socket writes. Resolves the number of subscribers that got it.
   */
  private publishOn(
    channel: string,
    message: UmfMessage,
    payload = serializeMessage(message),
  ): Promise<number> {
    const tooLarge = messageTooLarge(payload, this.maxMessageBytes, message.to);
    if (tooLarge) return Promise.reject(tooLarge);
    this.writes.hold();
    this.stats.sent++;
    return this.hydra.redis.publish(channel, payload);
  }
}
