import { parseMessage, validateMessage, type UmfMessage } from '@hydra-nest/umf';
import { LogThrottle } from '../log-throttle.js';
import type { HydraLogger } from '../logger.js';
import { errorBody, ERROR_REPLY_TYPE, isErrorReply } from './error-replies.js';
import type { MessageSigner } from './message-signing.js';
import type { MessagingObservers } from './messaging-observer.js';
import { activeTracer } from '../tracing/active-tracer.js';
import { runInProcessSpan } from '../tracing/message-spans.js';
import { MessageSignatureError } from './messaging-errors.js';
import type { MessagingStats } from './messaging-stats.js';
import type { Publisher } from './publisher.js';
import { replyTo } from './reply-message.js';

/**
 * Receives every incoming message that is not the reply to one of our own requests.
 *
 * `broadcast` is true for messages that came on the service channel (`hydra:service:mc:<svc>`, sent to
 * every instance), false for the instance channel; `channel` is the channel itself. `deadline` (ms since
 * the epoch) is when the sender gives up, for a message that carried its remaining time in `tmo`.
 * A handler that returns a promise says when it is done with the message: the span of its handling
 * (when an OpenTelemetry SDK is registered) ends then.
 */
export type IncomingHandler = (
  message: UmfMessage,
  broadcast: boolean,
  channel: string,
  deadline: number | undefined,
) => unknown;

/** Takes the reply to one of our own requests. */
export interface ReplyReceiver {
  /** Settles the waiting request a reply answers; false when no request waits for it. */
  settle(reply: UmfMessage): boolean;
}

/**
 * The `error.name` of the 503 error reply to a request that no handler took. Its handler never ran, so
 * a hydra-nest sender tries another instance.
 */
export const NOT_SERVING = 'NotServing';

/** Validated once below, with every issue listed. */
const PARSE_UNVALIDATED = { validate: false } as const;
/** Messages kept while no handler is installed yet (between registration and the transport's listen). */
const EARLY_MESSAGES_KEPT = 1000;
/** Default of `messaging.handlerWaitMs`. */
export const DEFAULT_HANDLER_WAIT_MS = 3000;
/** Malformed, refused and expired messages are each logged at most this often. */
const REPEATED_LOG_MS = 1000;

type Mode = 'waiting' | 'serving' | 'declined';
type KeptMessage = [message: UmfMessage, broadcast: boolean, channel: string, deadline: number | undefined];

/**
 * The receiving side of messaging: parses raw pub/sub payloads, hands replies to the request
 * correlator and everything else to the installed {@link IncomingHandler}.
 *
 * An instance is discoverable a little before its handler is installed (the Nest transport listens
 * after the instance registers), so messages of that moment are kept, at most 1,000 and at most
 * `handlerWaitMs`; then, or as soon as the instance says it serves none ({@link declineMessages}),
 * each request kept or still arriving is answered with a 503 error reply ({@link NOT_SERVING}). No
 * sender waits for its deadline.
 *
 * It never throws: a payload that is not JSON or not valid UMF is counted in `stats.malformed` and
 * logged at most once a second, and the next message is processed as usual.
 */
export class IncomingMessages {
  private handler: IncomingHandler | undefined;
  private mode: Mode = 'waiting';
  private readonly early: KeptMessage[] = [];
  private earlyTimer: NodeJS.Timeout | undefined;
  private declineReason = '';
  /** `service (instance id)`, in logs and refusals. */
  private readonly describeSelf: string;
  private readonly malformedLog = new LogThrottle(REPEATED_LOG_MS);
  private readonly unservedLog = new LogThrottle(REPEATED_LOG_MS);
  private readonly expiredLog = new LogThrottle(REPEATED_LOG_MS);
  private readonly unauthenticatedLog = new LogThrottle(REPEATED_LOG_MS);

  constructor(
    private readonly serviceChannel: string,
    private readonly serviceName: string,
    /** This instance's id, in its 503 refusals: a sender that has moved on elsewhere ignores them. */
    private readonly instanceId: string,
    private readonly logger: HydraLogger,
    readonly stats: MessagingStats,
    private readonly replies: ReplyReceiver,
    private readonly publisher: Publisher,
    private readonly handlerWaitMs: number,
    /** Set when signing is enforced: a message without a valid signature goes no further. */
    private readonly signer: MessageSigner | undefined,
    /** `messaging.maxMessageBytes`: larger payloads are dropped unparsed. */
    private readonly maxMessageBytes: number,
    private readonly observers: MessagingObservers,
  ) {
    this.describeSelf = `${serviceName} (${instanceId})`;
  }

  /**
   * Installs the receiver of requests, events and broadcasts; the messages kept meanwhile are handed
   * to it at once, in order. With undefined, removes it (the instance is stopping): requests that
   * still arrive get a 503 error reply.
   */
  setHandler(handler: IncomingHandler | undefined): void {
    this.handler = handler;
    if (handler) {
      this.mode = 'serving';
      clearTimeout(this.earlyTimer);
      const early = this.early.splice(0);
      for (const [message, broadcast, channel, deadline] of early) {
        // Kept a while: the sender may have given up meanwhile.
        if (deadline !== undefined && deadline <= Date.now()) this.expired(message);
        else this.handOver(message, broadcast, channel, deadline);
      }
    } else {
      this.declineMessages(`${this.describeSelf} is stopping`);
    }
  }

  /**
   * Says that no handler is coming (an application that serves HTTP only): messages kept so far and
   * those still to come are refused now, requests with a 503 error reply saying `reason`. A handler
   * installed later is served as usual. Does nothing while a handler is installed.
   */
  declineMessages(reason: string): void {
    if (this.handler) return;
    this.mode = 'declined';
    this.declineReason = reason;
    clearTimeout(this.earlyTimer);
    for (const [message, broadcast] of this.early.splice(0)) this.unserved(message, broadcast);
  }

  /** Processes one raw payload from the service or instance channel. */
  receive(payload: string, channel: string): void {
    // Never smaller than its UTF-16 length in bytes: a longer text is over the limit, unparsed.
    if (payload.length > this.maxMessageBytes) {
      return this.malformed(
        payload,
        `${payload.length} characters, over maxMessageBytes ${this.maxMessageBytes}`,
      );
    }
    let message: UmfMessage;
    try {
      message = parseMessage(payload, PARSE_UNVALIDATED);
    } catch (error) {
      return this.malformed(payload, (error as Error).message);
    }
    const issues = validateMessage(message);
    if (issues.length > 0) {
      return this.malformed(payload, issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    }
    this.stats.received++;
    const broadcast = channel === this.serviceChannel;
    if (this.observers.active) {
      this.observers.received(
        message,
        message.rmid !== undefined ? 'reply' : broadcast ? 'broadcast' : 'message',
      );
    }
    if (this.signer) {
      const verdict = this.signer.check(message);
      if (verdict !== 'valid') return this.unauthenticated(message, broadcast, verdict);
    }
    if (message.rmid !== undefined) {
      if (this.replies.settle(message)) {
        this.stats.replies++;
        return;
      }
      this.stats.unmatchedReplies++;
    }
    // The sender's remaining time, counted from receipt: clocks of other hosts play no part.
    const deadline = message.tmo ? Date.now() + message.tmo * 1000 : undefined;
    if (this.mode === 'serving') this.handOver(message, broadcast, channel, deadline);
    else if (this.mode === 'waiting' && this.early.length < EARLY_MESSAGES_KEPT) {
      this.early.push([message, broadcast, channel, deadline]);
    } else this.unserved(message, broadcast);
  }

  /**
   * The instance is registered, so messages may arrive: unless a handler is installed within
   * `handlerWaitMs`, the instance is taken to serve none.
   */
  startWaiting(): void {
    if (this.mode !== 'waiting') return;
    clearTimeout(this.earlyTimer);
    this.earlyTimer = setTimeout(
      () =>
        this.declineMessages(
          `${this.describeSelf} serves no UMF messages: no handler was installed within ${this.handlerWaitMs} ms ` +
            'of its start (connect HydraTransport to serve @UmfHandler methods, or call messaging.setHandler)',
        ),
      this.handlerWaitMs,
    );
    this.earlyTimer.unref();
  }

  private handOver(
    message: UmfMessage,
    broadcast: boolean,
    channel: string,
    deadline: number | undefined,
  ): void {
    try {
      const tracer = activeTracer();
      if (tracer === undefined) this.handler!(message, broadcast, channel, deadline);
      else {
        const operation = broadcast ? 'broadcast' : message.rmid !== undefined ? 'reply' : 'message';
        const handler = this.handler!;
        runInProcessSpan(tracer, message, this.serviceName, operation, () =>
          handler(message, broadcast, channel, deadline),
        );
      }
    } catch (error) {
      this.logger.warn(`the UMF handler of ${this.describeSelf} threw: ${(error as Error).message}`);
    }
  }

  /**
   * A message no handler will take: counted and logged now and then. A request is answered with a 503
   * error reply, so that its sender does not wait for its deadline; replies and broadcasts never are.
   */
  private unserved(message: UmfMessage, broadcast: boolean): void {
    this.stats.refused++;
    if (this.observers.active) this.observers.refused(message, 'not_serving');
    const reason =
      this.mode === 'waiting'
        ? `${this.describeSelf} is not serving messages yet: ${EARLY_MESSAGES_KEPT} arrived before its handler was installed`
        : this.declineReason;
    if (message.rmid === undefined && !broadcast) {
      const body = errorBody(503, NOT_SERVING, `${reason}; no handler ran, try another instance`, {
        instanceId: this.instanceId,
      });
      this.publisher.send(replyTo(message, body, ERROR_REPLY_TYPE)).catch(() => undefined); // sender may be gone
    }
    if (this.unservedLog.due()) {
      this.logger.warn(`${reason}; refused a message for "${message.to}" [${this.stats.refused} so far]`);
    }
  }

  /**
   * Signing is enforced and `message` is unsigned or badly signed: counted, logged now and then, and a
   * request is answered with a 401 error reply (a reply never settles its request).
   */
  private unauthenticated(message: UmfMessage, broadcast: boolean, verdict: 'unsigned' | 'invalid'): void {
    this.stats.unauthenticated++;
    if (this.observers.active) this.observers.refused(message, 'unauthenticated');
    // A service that refused our signature signs its 401 with secrets we may not share: it still ends
    // the request, so that no sender waits for its deadline (a forger could only fail a request).
    if (message.rmid !== undefined && isRefusedSignature(message) && this.replies.settle(message)) return;
    const error = new MessageSignatureError(message.frm, message.to, verdict);
    if (message.rmid === undefined && !broadcast) {
      const body = errorBody(error.statusCode, error.name, error.message);
      this.publisher.send(replyTo(message, body, ERROR_REPLY_TYPE)).catch(() => undefined);
    }
    if (this.unauthenticatedLog.due()) {
      this.logger.warn(
        `${this.describeSelf} refused a message: ${error.message} [${this.stats.unauthenticated} refused so far]`,
      );
    }
  }

  private expired(message: UmfMessage): void {
    this.stats.expired++;
    if (this.observers.active) this.observers.refused(message, 'expired');
    if (!this.expiredLog.due()) return;
    this.logger.warn(
      `${this.describeSelf} skipped a request for "${message.to}" whose sender's deadline (tmo ${message.tmo} s) ` +
        `had passed before its handler could start [${this.stats.expired} so far]; the sender has given up`,
    );
  }

  private malformed(payload: string, reason: string): void {
    this.stats.malformed++;
    if (!this.malformedLog.due()) return;
    this.logger.warn(
      `dropped a malformed UMF message for ${this.describeSelf} (${reason}): ${payload.slice(0, 80)}` +
        ` [${this.stats.malformed} dropped so far; fix the sender, this one was skipped]`,
    );
  }
}

/** Whether `message` is the 401 error reply of a service that refused our signature. */
function isRefusedSignature(message: UmfMessage): boolean {
  return (
    isErrorReply(message) &&
    message.bdy.statusCode === 401 &&
    message.bdy.error.name === MessageSignatureError.name
  );
}
