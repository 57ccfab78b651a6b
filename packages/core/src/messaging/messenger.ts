import {
  assertValidMessage,
  createMessage,
  createReply,
  parseRoute,
  type UmfInput,
  type UmfMessage,
  type UmfRoute,
} from '@hydra-nest/umf';
import type { InstanceInfo } from '../discovery.js';
import { makeApiRequest, type ApiRequestOptions, type ApiResponse } from './http-request.js';
import { DEFAULT_HANDLER_WAIT_MS, IncomingMessages, type IncomingHandler } from './incoming-messages.js';
import type { MessagingOptions, RequestOptions } from './messaging-options.js';
import type { MessagingStats } from './messaging-stats.js';
import { MessageSigner } from './message-signing.js';
import { messageSizeLimit } from './message-size.js';
import type { MessagingContext } from './messaging-context.js';
import { MessagingObservers, type MessagingObserver } from './messaging-observer.js';
import { OutgoingTelemetry } from './outgoing-telemetry.js';
import { ServiceUnavailableError } from './messaging-errors.js';
import { Publisher } from './publisher.js';
import { replyTo } from './reply-message.js';
import { RequestDispatcher } from './request-dispatcher.js';
import { RouteCache } from './route-cache.js';

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
    refused: 0,
    unauthenticated: 0,
    expired: 0,
    sent: 0,
    timeouts: 0,
    retries: 0,
  };
  /** @internal The observers {@link observe} installed. */
  readonly observers = new MessagingObservers();
  private readonly telemetry = new OutgoingTelemetry(this.observers);
  private readonly publisher: Publisher;
  private readonly requests: RequestDispatcher;
  private readonly incoming: IncomingMessages;
  private readonly routes = new RouteCache();
  private readonly serviceName: string;
  private readonly replyFrom: string;

  constructor(
    private readonly ctx: MessagingContext,
    private readonly options: MessagingOptions = {},
  ) {
    const { serviceName, instanceId } = ctx.identity;
    this.serviceName = serviceName;
    this.replyFrom = `${instanceId}@${serviceName}`;
    const maxBytes = messageSizeLimit(options.maxMessageBytes);
    const signer = options.signing ? new MessageSigner(options.signing) : undefined;
    this.publisher = new Publisher(ctx, this.stats, this.routes, maxBytes, options.loadBalancing, signer);
    this.requests = new RequestDispatcher(ctx, this.publisher, this.routes, options, this.stats);
    this.incoming = new IncomingMessages(
      ctx.keys.serviceChannel(serviceName),
      serviceName,
      instanceId,
      ctx.logger,
      this.stats,
      this.requests,
      this.publisher,
      options.handlerWaitMs ?? DEFAULT_HANDLER_WAIT_MS,
      signer,
      maxBytes,
      this.observers,
    );
    ctx.instances.on('change', (service: string, instances: InstanceInfo[]) =>
      this.requests.onInstancesChanged(service, instances),
    );
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
   * Installs an observer of what messaging sends, receives and refuses (`collectHydraMetrics` installs
   * one); returns the function that removes it. Its calls are on the hot path: keep them cheap.
   */
  observe(observer: MessagingObserver): () => void {
    return this.observers.add(observer);
  }

  /**
   * Says this instance serves no UMF messages (an HTTP-only application; `HydraModule` calls it when
   * the HTTP server listens and no `HydraTransport` is connected): requests kept so far and those still
   * to come get a 503 error reply saying `reason`, so that no sender waits for its deadline, and
   * hydra-nest senders try another instance. A handler installed later is served as usual.
   */
  declineMessages(reason = `${this.serviceName} serves no UMF messages (no handler is installed)`): void {
    this.incoming.declineMessages(reason);
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
      const message = this.outgoing(createMessage(input));
      return this.telemetry.send(
        message,
        () => this.routes.parse(message.to).service,
        'event',
        (m) => this.publisher.send(m),
      );
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
  sendBroadcastMessage(input: UmfInput): Promise<UmfMessage> {
    try {
      const message = this.outgoing(createMessage(input));
      return this.telemetry.send(
        message,
        () => parseRoute(message.to).service,
        'broadcast',
        (m) => this.broadcast(m),
      );
    } catch (error) {
      return Promise.reject(error);
    }
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
      const reply = this.outgoing(createReply(original, response));
      this.telemetry.reply(original, reply);
      return this.publisher.send(reply);
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
    try {
      const reply = replyTo(original, bdy, typ);
      this.telemetry.reply(original, reply);
      return this.publisher.send(reply);
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
    const timeoutMs =
      options.timeoutMs ?? (message.tmo ? message.tmo * 1000 : undefined) ?? this.options.timeoutMs ?? 5000;
    const span = this.telemetry.beforeRequest(message, route.service);
    const settled = this.requests.start(message, route, timeoutMs, retries);
    return this.telemetry.afterRequest(message, settled, span);
  }

  /**
   * An HTTP call to a discovered instance for `to` = `service:[method]/path`, Hydra's `makeAPIRequest`:
   * never rejects for service errors, tries the other instances when one cannot be reached, resolves a
   * 503 object when none answered and a 400 object for a bad `to`.
   */
  makeAPIRequest(input: UmfInput, options: ApiRequestOptions = {}): Promise<ApiResponse> {
    const message = createMessage(input);
    if (!message.frm) message.frm = `${this.serviceName}:/`;
    return this.telemetry.httpCall(
      message,
      () => this.routeOrUndefined(message.to),
      (m) => makeApiRequest(this.ctx, m, { loadBalancing: this.options.loadBalancing, ...options }),
    );
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
   * Its Hydra instance calls this once it is subscribed and registered: messages may arrive from now on.
   *
   * @internal
   */
  onStarted(): void {
    this.incoming.startWaiting();
  }

  /**
   * Its Hydra instance calls this when the subscriber connection closes: replies to the requests
   * already sent are lost, so those are rejected; new ones are held until {@link onSubscribed} (while
   * the instance runs), else rejected too.
   *
   * @internal
   */
  onSubscriberLost(): void {
    const reason =
      'the Redis connection was lost before the reply arrived; the request may or may not have been handled';
    if (this.ctx.state() === 'running') this.requests.pause(reason);
    else if (this.requests.size > 0) this.requests.abortAll(reason);
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

  /**
   * Its Hydra instance calls this once the command connection is back after a loss: requests held
   * meanwhile are sent (when the subscriber listens too).
   *
   * @internal
   */
  onCommandBack(): void {
    this.requests.onCommandBack();
  }

  /**
   * Its Hydra instance calls this when another master took over slots of the cluster (a failover, a
   * slot move): for a moment, a target that does not listen is waited for, as after a reconnect.
   *
   * @internal
   */
  onClusterChanged(): void {
    this.requests.onClusterChanged();
  }

  /** Number of requests waiting for their reply. */
  get inFlight(): number {
    return this.requests.size;
  }

  /** Rejects every request in flight and detaches the handler (the instance is stopping). */
  close(): void {
    this.incoming.setHandler(undefined);
    this.requests.abortAll(`${this.serviceName} is stopping`);
  }

  /** Publishes on the service channel; no instance listening there is an error. */
  private async broadcast(message: UmfMessage): Promise<UmfMessage> {
    const { service } = parseRoute(message.to);
    const receivers = await this.publisher.toService(service, message);
    if (receivers === 0) {
      throw new ServiceUnavailableError(service, `Unavailable ${service} instances`);
    }
    return message;
  }

  /** Checks a message before it leaves; `frm` defaults to this service, since Hydra peers require a sender. */
  private outgoing(message: UmfMessage): UmfMessage {
    if (!message.frm) message.frm = `${this.serviceName}:/`;
    assertValidMessage(message);
    return message;
  }

  /** The parsed route, or undefined for a `to` the call itself will refuse (with a 400 object). */
  private routeOrUndefined(to: string): UmfRoute | undefined {
    try {
      return this.routes.parse(to);
    } catch {
      return undefined;
    }
  }

  private replyAddress(frm: string | undefined): string {
    if (!frm) return `${this.replyFrom}:/`;
    const colon = frm.indexOf(':');
    const at = frm.indexOf('@');
    if (at >= 0 && at < colon) return frm; // already names an instance
    return `${this.replyFrom}${colon >= 0 ? frm.slice(colon) : ':/'}`;
  }
}
