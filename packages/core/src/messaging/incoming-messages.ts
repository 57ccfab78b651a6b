import { parseMessage, validateMessage, type UmfMessage } from '@hydra-nest/umf';
import { LogThrottle } from '../log-throttle.js';
import type { HydraLogger } from '../logger.js';

/**
 * Receives every incoming message that is not the reply to one of our own requests.
 *
 * `broadcast` is true for messages that came on the service channel (`hydra:service:mc:<svc>`, sent to
 * every instance), false for the instance channel; `channel` is the channel itself.
 */
export type IncomingHandler = (message: UmfMessage, broadcast: boolean, channel: string) => void;

/** Counters of what the messaging layer saw and did; read them in health checks and tests. */
export interface MessagingStats {
  /** Well-formed messages received (requests, events, broadcasts and replies). */
  received: number;
  /** Replies that settled one of our requests. */
  replies: number;
  /** Messages with an `rmid` that matched no waiting request (late, or meant for a handler). */
  unmatchedReplies: number;
  /** Payloads dropped because they were not JSON or not a valid UMF message. */
  malformed: number;
  /**
   * Valid messages no handler took: more than are kept until the first one is installed (requests
   * among them get a 503 error reply), or any after it was removed.
   */
  refused: number;
  /** Messages published (sends, broadcasts, replies, retries). */
  sent: number;
  /** Requests that expired. */
  timeouts: number;
  /** Requests sent again to another instance (none present yet, or the chosen one vanished). */
  retries: number;
}

/** Validation comes after the reply check: a reply settles its request without it. */
const PARSE_UNVALIDATED = { validate: false } as const;
/** Messages kept while no handler is installed yet (between registration and the transport's listen). */
const EARLY_MESSAGES_KEPT = 1000;
/** Malformed and refused messages are each logged at most this often. */
const REPEATED_LOG_MS = 1000;

/**
 * The receiving side of messaging: parses raw pub/sub payloads, hands replies to the request
 * correlator and everything else to the installed {@link IncomingHandler}. It never throws: a payload
 * that is not JSON or not valid UMF is counted in `stats.malformed` and logged at most once a second,
 * and the next message is processed as usual.
 */
export class IncomingMessages {
  private handler: IncomingHandler | undefined;
  private early: Array<[UmfMessage, boolean, string]> | undefined = [];
  private readonly malformedLog = new LogThrottle(REPEATED_LOG_MS);
  private readonly unservedLog = new LogThrottle(REPEATED_LOG_MS);

  constructor(
    private readonly serviceChannel: string,
    private readonly describeSelf: string,
    private readonly logger: HydraLogger,
    readonly stats: MessagingStats,
    /** Settles the waiting request a reply answers; false when no request waits for it. */
    private readonly settle: (reply: UmfMessage) => boolean,
    /** Answers a request no handler will take with a 503 error reply saying `reason`. */
    private readonly refuse: (request: UmfMessage, reason: string) => void,
  ) {}

  /**
   * Installs (or removes, with undefined) the receiver of requests, events and broadcasts. Messages
   * that arrived before the first handler was installed are handed to it at once, in order.
   */
  setHandler(handler: IncomingHandler | undefined): void {
    this.handler = handler;
    const early = this.early;
    this.early = undefined;
    if (handler && early)
      for (const [message, broadcast, channel] of early) handler(message, broadcast, channel);
  }

  /** Processes one raw payload from the service or instance channel. */
  receive(payload: string, channel: string): void {
    let message: UmfMessage;
    try {
      message = parseMessage(payload, PARSE_UNVALIDATED);
    } catch (error) {
      return this.malformed(payload, (error as Error).message);
    }
    if (message.rmid !== undefined) {
      if (this.settle(message)) {
        this.stats.received++;
        this.stats.replies++;
        return;
      }
      this.stats.unmatchedReplies++;
    }
    const issues = validateMessage(message);
    if (issues.length > 0) {
      return this.malformed(payload, issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    }
    this.stats.received++;
    const broadcast = channel === this.serviceChannel;
    if (this.handler) {
      try {
        this.handler(message, broadcast, channel);
      } catch (error) {
        this.logger.warn(`the UMF handler of ${this.describeSelf} threw: ${(error as Error).message}`);
      }
    } else if (this.early && this.early.length < EARLY_MESSAGES_KEPT) {
      this.early.push([message, broadcast, channel]);
    } else {
      this.unserved(message, broadcast);
    }
  }

  /**
   * A message no handler will take: counted and logged now and then. A request that overflowed the
   * messages kept for the first handler is answered with a 503, so that its sender does not wait for
   * its deadline. One that came after the handler was removed is not: the instance is most likely
   * stopping, and when it leaves, the sender's retry sends the request to another instance.
   */
  private unserved(message: UmfMessage, broadcast: boolean): void {
    this.stats.refused++;
    const starting = this.early !== undefined;
    const reason = starting
      ? `${this.describeSelf} is not serving messages yet: ${EARLY_MESSAGES_KEPT} arrived before its handler was installed`
      : `${this.describeSelf} serves no UMF messages any more (its handler was removed)`;
    // Replies and broadcasts are never answered (see the transport); only a request waits for an answer.
    if (starting && message.rmid === undefined && !broadcast) this.refuse(message, `${reason}; try again`);
    if (this.unservedLog.due()) {
      this.logger.warn(`${reason}; dropped a message for "${message.to}" [${this.stats.refused} so far]`);
    }
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
